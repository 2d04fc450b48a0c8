/**
 * Probes of the file system that stay answers under Node's permission model (`--permission`,
 * Node 20's `--experimental-permission`): there `existsSync` of a path the program may not read
 * throws `ERR_ACCESS_DENIED` (Node 20-24) instead of answering, and a folder it may not write to
 * takes a socket's bind but refuses every later use of the file.
 */
import { existsSync } from 'node:fs';

type Permission = { has(scope: string, reference?: string): boolean };

/** Node's permission model, when it is on. */
export function permission(): Permission | undefined {
  return (process as { permission?: Permission }).permission;
}

/** Whether the permission model, when on, lets this program read and write in `dir`. */
export function mayReadWrite(dir: string): boolean {
  const allowed = permission();
  return !allowed || (allowed.has('fs.read', dir) && allowed.has('fs.write', dir));
}

/** `existsSync(path)`, false where the permission model forbids reading the path. */
export function existsReadable(path: string): boolean {
  try {
    return existsSync(path);
  } catch {
    return false;
  }
}
