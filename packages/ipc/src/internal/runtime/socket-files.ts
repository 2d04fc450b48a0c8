/**
 * The Unix socket files this realm bound (a `Listener`'s, a manager's, the queue and pipe broker's)
 * are removed however the program ends, as Python removes its own:
 *
 * - `close()` removes its file and forgets it ({@link forgetSocketFile});
 * - `process.exit()`, an uncaught error and a normal end run `'exit'` listeners, synchronously:
 *   one removes what is left;
 * - SIGINT, SIGTERM, SIGHUP (the terminal closed) and SIGQUIT end a Node program without
 *   `'exit'`. While a file is registered, a listener here removes the files and raises the signal
 *   again (no listener of ours left, so Node's default ends the program as the signal would:
 *   130/143/129, a core dump for SIGQUIT), but only when it is the only listener: a program that
 *   handles the signal itself decides what happens, and its own end removes the files.
 *
 * Only a file this realm bound is removed, and only while it is the same file (its inode): a
 * Listener whose bind failed (EADDRINUSE: another listener's socket, or a user's regular file at
 * that path) never registers it, and a path bound again by someone else after ours went is theirs.
 *
 * SIGKILL cannot be helped here (Python leaves its directory too): the next program of this
 * library that binds a socket file removes the files of owners that are gone (stale-sockets.ts).
 * Windows pipes leave no file.
 */
import { statSync, unlinkSync } from 'node:fs';
import { sweepStaleSockets } from './stale-sockets.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
/** Each registered path, with the inode it had when this realm bound it. */
const paths = new Map<string, number>();
let listening = false;

/**
 * Removes `path`, which this realm has just bound, when this realm ends, unless
 * {@link forgetSocketFile} or {@link removeSocketFile} is called first.
 */
export function removeSocketFileAtEnd(path: string): void {
  if (process.platform === 'win32') return;
  const ino = inodeOf(path);
  if (ino === null) return; // gone already: nothing of ours to remove
  paths.set(path, ino);
  sweepStaleSockets();
  if (listening) return;
  listening = true;
  process.on('exit', removeAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Removes `path` now if this realm registered it and it is still that file; forgets it. */
export function removeSocketFile(path: string): void {
  const ino = paths.get(path);
  if (ino !== undefined) unlinkIfSame(path, ino);
  forgetSocketFile(path);
}

/** `path` is gone or no longer ours (its `close()` removed it). */
export function forgetSocketFile(path: string): void {
  paths.delete(path);
  if (paths.size === 0) stopListening();
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  process.off('exit', removeAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function removeAll(): void {
  for (const [path, ino] of paths) unlinkIfSame(path, ino);
  paths.clear();
}

function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

function unlinkIfSame(path: string, ino: number): void {
  if (inodeOf(path) !== ino) return;
  try {
    unlinkSync(path);
  } catch {}
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener is the program's own: it chose not to die of this signal (or to end later).
  if (process.listenerCount(signal) > 1) return;
  removeAll();
  stopListening();
  // With no listener left, Node's default action ends the program, killed by this signal.
  process.kill(process.pid, signal);
}
