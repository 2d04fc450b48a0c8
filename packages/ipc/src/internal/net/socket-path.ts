/**
 * Where this library binds its own Unix sockets (a `Listener` without an address, hence a manager,
 * and the queue and pipe broker), and the one check every socket path goes through.
 *
 * The folder is chosen once, at first use, the way Python's `tempfile.gettempdir()` chooses
 * (Python 3.13's `multiprocessing.util` also skips a folder too long for a socket): `TMPDIR`,
 * `TEMP`, `TMP`, then `/tmp`, `/var/tmp`, `/usr/tmp`, then the working folder; the first that
 * is a writable folder and short enough wins, made absolute then, so a later `process.chdir()`
 * does not move it. A socket path longer than the system's limit (107 bytes on Linux, 103 on
 * macOS and the BSDs) is never bound: Node 20 silently truncates it (another program's socket
 * may then get the same name), Node 22 and later refuse it with `EINVAL`. Under Node's permission
 * model (`--permission`) a folder the program may not write to is skipped too: Node binds a socket
 * there but refuses every later use of its file (`chmod`, `unlink`) with `ERR_ACCESS_DENIED`.
 */
import { accessSync, chmodSync, constants, existsSync, statSync } from 'node:fs';
import type net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { ProcessError, ValidationError } from '@multiproc/shared';
import { mayReadWrite, permission } from './fs-permission.js';

/** The longest Unix socket path the system binds whole, in bytes (`sun_path` less its NUL). */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/**
 * Room left for the names bound in the folder, in bytes: `mp-listener-<pid>-<12 hex>.sock` and
 * `mp-<pid>-<threadId>-<12 hex>.sock` need at most 42, with a pid of 10 digits.
 */
const NAME_BYTES = 48;

const ENV_NAMES = ['TMPDIR', 'TEMP', 'TMP'] as const;
const FALLBACKS = ['/tmp', '/var/tmp', '/usr/tmp'];

let chosen: string | undefined;

/**
 * The folder this program binds its sockets in, chosen at the first call (see the module comment).
 * @throws {ProcessError} when no candidate is usable, naming each and why.
 */
export function socketDir(): string {
  chosen ??= pickSocketDir(candidates());
  return chosen;
}

/**
 * A new socket path, unique to this program, for names starting with `prefix`: in
 * {@link socketDir}, or a named pipe on Windows.
 * @throws {ProcessError} when no folder can hold a socket.
 */
export function newSocketPath(prefix: string): string {
  const name = `${prefix}-${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}.sock`;
  if (process.platform === 'win32') return `\\\\?\\pipe\\${name}`;
  const path = join(socketDir(), name);
  if (tooLong(path)) throw new ProcessError(`${noRoomText(path)} ${ADVICE}`);
  return path;
}

/**
 * Refuses a Unix socket path the system would not bind whole (Python: `OSError: AF_UNIX path too
 * long`). Windows pipe names have no such limit.
 * @throws {ValidationError} naming `where` and the path's length.
 */
export function checkSocketPath(path: string, where: string): void {
  if (process.platform === 'win32' || !tooLong(path)) return;
  throw new ValidationError(
    `${where}: ${noRoomText(path)} Use a shorter path (Python: OSError: AF_UNIX path too long).`,
  );
}

/**
 * The error for a socket path of ours ({@link newSocketPath}) the system refused to bind: its
 * folder went away or became unusable after it was chosen.
 */
export function bindFailed(path: string, cause?: unknown): ProcessError {
  const dir = dirname(path);
  const why = dirProblem(dir) ?? describe(cause) ?? 'the system refused it';
  return new ProcessError(
    `Cannot bind the Unix socket ${path} that multiproc uses to reach this program from its child ` +
      `processes and clients: ${why}. ${advice()}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * After `server.listen(path)` on a path of ours: a pipe server binds synchronously, so `listening`
 * is false at once when the bind failed (its error comes on the next tick).
 * @throws {ProcessError} ({@link bindFailed}) then, the server closed.
 */
export function assertBound(server: net.Server, path: string | null): void {
  if (path === null || process.platform === 'win32' || server.listening) return;
  server.close();
  throw bindFailed(path);
}

/**
 * After `server.listen(path)` bound a path of ours ({@link newSocketPath}): makes the socket file
 * reachable by this user only (0600). Connecting needs write access to the file, which the umask
 * may grant to the group or others; Python binds its own sockets in a private (0700) folder for
 * the same reason. A path the user gave keeps what the umask made, as in Python.
 * Checks the bind first ({@link assertBound}).
 * @throws {ProcessError} ({@link bindFailed}) when it did not bind or the mode cannot be set, the
 *   server closed.
 */
export function makeSocketPrivate(server: net.Server, path: string): void {
  assertBound(server, path);
  if (process.platform === 'win32') return;
  try {
    chmodSync(path, 0o600);
  } catch (err) {
    server.close();
    throw bindFailed(path, err);
  }
}

/**
 * After `server.listen(path)` on a path the user gave: the bind error, known at once (a pipe
 * binds synchronously; Node emits its error on the next tick), or null when it bound. Something
 * at the path (another program's socket, a file) is Node's `EADDRINUSE`.
 */
export function bindErrorNow(server: net.Server, path: string): Error | null {
  if (process.platform === 'win32' || server.listening) return null;
  if (!existsSync(path)) return bindFailed(path);
  return Object.assign(new Error(`listen EADDRINUSE: address already in use ${path}`), {
    code: 'EADDRINUSE',
    syscall: 'listen',
    address: path,
  });
}

/** The first usable folder of `list` (each `[where, value]`); a ProcessError naming all if none. */
export function pickSocketDir(list: ReadonlyArray<readonly [where: string, value: string]>): string {
  const refused: string[] = [];
  for (const [where, value] of list) {
    let dir: string;
    try {
      dir = resolve(value); // made absolute against the working folder of now, once
    } catch (err) {
      refused.push(`${where} (${value}): ${describe(err)}`);
      continue;
    }
    const problem = dirProblem(dir);
    if (problem === null) return dir;
    refused.push(`${where} (${dir}): ${problem}`);
  }
  throw new ProcessError(
    `No folder can hold the Unix sockets multiproc binds to reach this program from its child ` +
      `processes and clients. Tried ${refused.join('; ')}. ${advice()}`,
  );
}

/** Why `dir` cannot hold a socket of ours, or null when it can. */
function dirProblem(dir: string): string | null {
  if (!mayReadWrite(dir)) {
    return `Node's permission model does not let this program read and write there (--allow-fs-read=${dir} --allow-fs-write=${dir} would)`;
  }
  try {
    // bigint: a non-bigint stat of a FIFO or socket stops fs.realpathSync resolving symlinks (Node 20, 22).
    if (!statSync(dir, { bigint: true }).isDirectory()) return 'it is not a folder';
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    return describe(err) ?? 'it cannot be used';
  }
  const bytes = Buffer.byteLength(dir) + 1 + NAME_BYTES;
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    return (
      `it is too long: a socket path in it would take up to ${bytes} bytes, and ` +
      `${process.platform} binds at most ${MAX_SOCKET_PATH_BYTES}`
    );
  }
  return null;
}

function candidates(): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  for (const name of ENV_NAMES) {
    const value = process.env[name];
    if (value) list.push([name, value]);
  }
  for (const dir of FALLBACKS) list.push([dir, dir]);
  list.push(['the working folder', '.']);
  return list;
}

function tooLong(path: string): boolean {
  // An abstract name (a leading NUL, Linux) has the same limit.
  return Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES;
}

function noRoomText(path: string): string {
  return (
    `the Unix socket path ${JSON.stringify(path)} is ${Buffer.byteLength(path)} bytes long, and ` +
    `${process.platform} binds at most ${MAX_SOCKET_PATH_BYTES} (a longer one would be cut short).`
  );
}

function describe(err: unknown): string | undefined {
  if (err === undefined) return undefined;
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string') {
    const text: Record<string, string> = {
      ENOENT: 'it does not exist',
      ENOTDIR: 'a part of it is not a folder',
      EACCES: 'it is not writable by this user',
      EPERM: 'it is not writable by this user',
      EROFS: 'it is on a read-only file system',
      ELOOP: 'it is a symbolic link loop',
      EINVAL: 'the system refused the path (EINVAL: too long?)',
      EADDRINUSE: 'something else is already at that path (EADDRINUSE)',
      ERR_ACCESS_DENIED: "Node's permission model forbids this program to use it",
    };
    return text[e.code] ? `${text[e.code]} (${e.code})` : `${e.code}`;
  }
  return typeof e.message === 'string' ? e.message : String(err);
}

const ADVICE =
  'Set TMPDIR to an existing folder this user can write to, whose path is short (at most ' +
  `${MAX_SOCKET_PATH_BYTES - 1 - NAME_BYTES} bytes), for example TMPDIR=/tmp.`;

/** What to do, said for the permission model when it is on (a socket is a file the program writes). */
function advice(): string {
  if (permission() === undefined) return ADVICE;
  const first = resolve(candidates()[0]?.[1] ?? '/tmp');
  return (
    "Under Node's permission model, let the program read and write its temporary folder: run it " +
    `with --allow-fs-read=${first} --allow-fs-write=${first} as well, or set TMPDIR to a short ` +
    'folder it may read and write.'
  );
}
