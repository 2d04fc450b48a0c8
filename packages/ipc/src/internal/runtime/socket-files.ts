/**
 * The Unix socket files this realm bound (a `Listener`'s, a manager's, the queue and pipe broker's)
 * are removed however the program ends, as Python removes its own:
 *
 * - `close()` removes its file and forgets it ({@link forgetSocketFile});
 * - `process.exit()`, an uncaught error and a normal end run `'exit'` listeners, synchronously:
 *   one removes what is left;
 * - SIGINT and SIGTERM end a Node program without `'exit'`. While a file is registered, a listener
 *   here removes the files and raises the signal again (no listener of ours left, so Node's default
 *   ends the program with the same 130/143), but only when it is the only listener: a program
 *   that handles the signal itself decides what happens, and its own end removes the files.
 *
 * SIGKILL cannot be helped (Python leaves its directory too). Windows pipes leave no file.
 */
import { unlinkSync } from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const paths = new Set<string>();
let listening = false;

/** Removes `path` when this realm ends, unless {@link forgetSocketFile} is called first. */
export function removeSocketFileAtEnd(path: string): void {
  if (process.platform === 'win32') return;
  paths.add(path);
  if (listening) return;
  listening = true;
  process.on('exit', removeAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
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
  for (const path of paths) {
    try {
      unlinkSync(path);
    } catch {}
  }
  paths.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener is the program's own: it chose not to die of this signal (or to end later).
  if (process.listenerCount(signal) > 1) return;
  removeAll();
  stopListening();
  // With no listener left, Node's default action ends the program, killed by this signal.
  process.kill(process.pid, signal);
}
