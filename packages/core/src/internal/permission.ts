/**
 * Node's permission model (`--permission`, Node 20's `--experimental-permission`): without
 * `--allow-worker` / `--allow-child-process`, creating a worker throws from deep inside tinypool,
 * where a pool's retry then ends the program with an uncaught error. Checked up front instead.
 */
import { ContextError } from '@multiproc/shared';

interface Permission {
  has(scope: string): boolean;
}

/**
 * Throws when the permission model forbids the workers of `context`.
 * @throws {ContextError} naming the flag to add.
 */
export function assertPermitted(what: 'a Pool' | 'a Process', context: 'thread' | 'process'): void {
  const permission = (process as { permission?: Permission }).permission;
  if (permission === undefined) return;
  const threads = context === 'thread';
  if (permission.has(threads ? 'worker' : 'child')) return;
  const flag = threads ? '--allow-worker' : '--allow-child-process';
  throw new ContextError(
    `Cannot create ${what} in the '${context}' context: Node's permission model forbids ` +
      `${threads ? 'worker threads' : 'child processes'} in this program. Run it with ${flag} ` +
      `as well (node ${permissionFlag()} ${flag} ...).`,
  );
}

/**
 * The flag that turns the permission model on in this Node: `--permission` from 22.13 and 23.5 on,
 * `--experimental-permission` before (Node 20, 22.12), which rejects `--permission` as a bad option.
 */
export function permissionFlag(): string {
  const flags = process.allowedNodeEnvironmentFlags;
  return flags.has('--permission') || !flags.has('--experimental-permission')
    ? '--permission'
    : '--experimental-permission';
}
