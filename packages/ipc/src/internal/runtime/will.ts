/**
 * A home's will: what it leaves to a copy that had not connected when the home's thread or process
 * ended (protocol/bequest.ts). The frames the home would have sent that copy (its items, in order)
 * are written to a file beside the home's socket, named by the copy's reservation token and
 * readable by this user only. The copy, finding the home gone (its connection refused or closed
 * before anything came), reads and removes the file and takes those frames as if they had come
 * over its link: it serves the items, then EOF. A will nobody reads (the copy was never decoded)
 * stays in the temporary directory, as unread data of a Python pipe would stay in its buffer.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrameReader, FrameWriter } from '../link/frames.js';
import type { Item } from '../protocol/item.js';
import { Op } from '../protocol/ops.js';
import type { Will } from '../protocol/will-heir.js';

/** Where the home listening at `socketPath` leaves items to the copy reserved with `token`. */
export function willPath(socketPath: string, token: string): string {
  // A Windows named pipe has no directory beside it to write to.
  return process.platform === 'win32'
    ? join(process.getBuiltinModule('node:os').tmpdir(), `mp-${token}.left`)
    : `${socketPath}.${token}.left`;
}

/**
 * Writes `items` as H_DATA frames, after an H_WILL frame when `from` (the consumed count they
 * follow) is given, then, when `lost` > 0, an H_LOST frame saying that many items after them are
 * lost; false when it cannot (or a will is there already: it is never overwritten). With no items
 * and no `from` it writes an empty will, which still says the home ran its exit hooks.
 */
export function writeWill(path: string, items: readonly Item[], lost = 0, from?: number): boolean {
  const out = new FrameWriter();
  if (from !== undefined) out.frame(Op.H_WILL, from, 0);
  for (const item of items) out.frame(Op.H_DATA, 0, 0, item);
  if (lost > 0) out.frame(Op.H_LOST, lost, 0);
  const bytes = out.take() ?? new Uint8Array(0);
  try {
    writeFileSync(path, bytes, { mode: 0o600, flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/** Whether a will waits at `path` (a copy then stops trying to reach its home). */
export function hasWill(path: string): boolean {
  return process.getBuiltinModule('node:fs').existsSync(path);
}

/** How many items the will at `path` holds (its H_DATA frames), without removing it; null if none. */
export function countWillItems(path: string): number | null {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  let n = 0;
  new FrameReader().push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), (op) => {
    if (op === Op.H_DATA) n++;
  });
  return n;
}

/**
 * A copy's link closed (`heard`: frames came over it; `heir`: H_HEIR among them): reads and removes
 * its will at `path` and hands it to `inherit` (protocol/will-heir.ts), unless H_HEIR came (then
 * the link brought what the will holds). True when the copy takes the will as its home's H_HEIR:
 * `inherit` placed it, or, after frames came, the will is empty and says nothing of where its items
 * go (the home ended in order with nothing unconfirmed for it). Such a will holding items cannot be
 * placed (the copy cannot tell which of its items it received): false, and the end says items may
 * be lost.
 */
export function readWillAtClose(
  path: string,
  heard: boolean,
  heir: boolean,
  inherit: (will: Will) => boolean,
): boolean {
  if (heard && heir) {
    removeWill(path);
    return false;
  }
  const will = readWill(path);
  if (will === null) return false;
  if (!heard || will.from !== null) return inherit(will);
  return will.items.length === 0 && will.lost === 0;
}

/** Removes the will at `path` unread, if there is one (its copy got the same frames over its link). */
export function removeWill(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}

/** Reads and removes the will at `path`; null if none. An empty one says its home ran its exit hooks. */
export function readWill(path: string): Will | null {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
    unlinkSync(path);
  } catch {
    return null;
  }
  let from: number | null = null;
  let lost = 0;
  const items: Item[] = [];
  new FrameReader().push(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    (op, a, _b, body) => {
      if (op === Op.H_WILL) from = a >>> 0;
      else if (op === Op.H_LOST) lost = a;
      else if (op === Op.H_DATA) items.push(body);
    },
  );
  return { from, items, lost };
}

/** Whether this is a worker thread, or a child process started with an IPC channel (a worker). */
export function inWorker(): boolean {
  return !process.getBuiltinModule('node:worker_threads').isMainThread || typeof process.send === 'function';
}

/** Says on stderr, synchronously (nothing else runs at exit), that `n` items are lost: never silently. */
export function reportLost(isQueue: boolean, n: number): void {
  const what = isQueue ? 'A Queue' : 'A Pipe';
  const text =
    `multiproc: ${what} created in this worker (pid ${process.pid}) ended with it holding ${n} item(s) ` +
    'for a reader that had not connected yet, and they could not be left for it in the temporary ' +
    'directory; they are lost. Keep the worker alive until the reader took them, or create the queue ' +
    'or pipe in the reading process and pass it to the worker.\n';
  try {
    process.getBuiltinModule('node:fs').writeSync(2, text);
  } catch {}
}
