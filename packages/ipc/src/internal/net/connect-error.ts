/**
 * What a connection to an address that cannot be made says: the address tried, why in words, and
 * what to do. `Client()` rejects with the {@link ConnectError}; a manager proxy's connection
 * (client-warnings.ts) says it in its `ManagerClosedError`.
 */
import { ConnectError } from '../../errors.js';
import type { Address } from './endpoint.js';
import { localReason } from './os-errors.js';

type SystemError = Error & { code?: unknown; syscall?: unknown };

/** Node's system error of a failed connect (a string `code` starting with E, a `syscall`), else null. */
function systemCode(err: unknown): `E${string}` | null {
  const code = (err as SystemError | null)?.code;
  const syscall = (err as SystemError | null)?.syscall;
  return typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) && typeof syscall === 'string'
    ? (code as `E${string}`)
    : null;
}

/** `address` as the message shows it: `"/path"` or `127.0.0.1:8000`. */
function shown(address: Address): string {
  return typeof address === 'string' ? JSON.stringify(address) : `${address[0]}:${address[1]}`;
}

/**
 * Why nobody could be reached at `address`, in words, for a system error `code` (the system's own
 * limits included), or a generic line naming the code.
 */
export function unreachedReason(code: string, address: Address): string {
  const path = typeof address === 'string';
  switch (code) {
    case 'ENOENT':
      return 'there is no socket file at that path (ENOENT)';
    case 'ENOTDIR':
      return 'a folder of that path is a file (ENOTDIR)';
    case 'ECONNREFUSED':
      return path
        ? 'nothing accepts connections on the file there: it is not a socket, or the Listener that made it closed or its program ended (ECONNREFUSED)'
        : `nothing listens on port ${address[1]} of ${address[0]} (ECONNREFUSED)`;
    case 'ETIMEDOUT':
      return 'the host did not answer before the system gave up (ETIMEDOUT)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the host cannot be reached from here (${code})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `the host name was not found (${code})`;
    default:
      return localReason(code) ?? `the system refused the connection (${code})`;
  }
}

/** What to do, after {@link unreachedReason}: a network fault, this side's limits, or nobody listening. */
function advice(code: string, address: Address): string {
  if (localReason(code) !== null && code !== 'EACCES')
    return 'Close files or sockets you no longer need, or raise the limit, and connect again.';
  const where = typeof address === 'string' ? 'path' : 'host and port';
  if (code === 'EACCES') return `Check the permissions of the socket file and its folder, or the ${where}.`;
  const start =
    typeof address === 'string'
      ? `Start a Listener at this address first (new Listener(${JSON.stringify(address)}), or pass a listener's own \`address\`)`
      : "Start a Listener there first (`new Listener([host, port])`, or pass a listener's own `address`)";
  return `${start}, check the ${where}, and give Client() the listener's authkey ({ authkey }) if it has one.`;
}

/**
 * The {@link ConnectError} for Node's error `err` of connecting `Client()` to `address`, or `err`
 * itself when it is not a system error.
 */
export function clientConnectError(err: unknown, address: Address): unknown {
  const code = systemCode(err);
  if (code === null) return err;
  return new ConnectError(
    `Client(): cannot connect to ${shown(address)}: ${unreachedReason(code, address)}. ${advice(code, address)}`,
    { errno: code, syscall: (err as SystemError).syscall as string, address, cause: err },
  );
}

/**
 * When `cause` is Node's error of connecting to a manager at `address` (the manager is not
 * there, as opposed to a connection that broke): why, in words; else null.
 */
export function managerUnreached(cause: unknown, address: Address): string | null {
  const code = systemCode(cause);
  const syscall = (cause as SystemError | null)?.syscall;
  return code !== null && (syscall === 'connect' || syscall === 'getaddrinfo')
    ? unreachedReason(code, address)
    : null;
}
