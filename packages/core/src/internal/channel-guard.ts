/**
 * The host side of a forked child's IPC channel (fd 3 in the child), guarded against bytes that
 * are not messages: user code in the child may write to that descriptor (`fs.writeSync(3, 'junk')`).
 *
 * Node reads the channel with `serialization: 'advanced'` as frames of a 4-byte big-endian length
 * and V8 serializer data, which starts with the tag byte 0xFF. Junk meets that decoder one of two
 * ways, and neither ends by itself:
 * - its first four bytes read as a length the decoder then waits for (`'junk'` is 1.7 GB): every
 *   later message, the task's reply too, is swallowed and the call hangs;
 * - they read as a short length and the decoder throws from inside Node's read callback: an
 *   uncaught exception that ends the host program.
 *
 * So the channel handle's `onread` is wrapped: a throw from Node's decoder is caught, and after
 * each read the unparsed rest is checked (a frame whose data does not start with 0xFF is junk).
 * Either ends the channel for good: later reads are dropped (its end-of-stream still closes it) and
 * `onCorrupt` decides what becomes of the child. Node keeps the handle and the decoder's buffer
 * under symbols only (`kChannelHandle` on the ChildProcess, `kMessageBuffer` on the handle), found
 * by their descriptions on Node 20, 22 and 24; without them the channel is left as it is.
 */
import type { ChildProcess } from 'node:child_process';
import { ProcessError } from '@multiproc/shared';

/** The first byte of V8 serializer data (`SerializationTag::kVersion`). */
const V8_VERSION_TAG = 0xff;
const LENGTH_BYTES = 4;

type ReadCallback = (this: unknown, ...args: unknown[]) => unknown;
type ChannelHandle = Record<symbol, unknown> & { onread?: ReadCallback };

const corruptions = new WeakSet<object>();

/** Whether `error` is the cause {@link guardChannel} reported for a corrupted channel. */
export function isChannelCorruption(error: unknown): error is ProcessError {
  return typeof error === 'object' && error !== null && corruptions.has(error);
}

function symbolNamed(target: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(target).find((s) => s.description === description);
}

/** The first `n` bytes of the decoder's unparsed chunks, or fewer when it holds fewer. */
function head(chunks: unknown, n: number): number[] {
  const out: number[] = [];
  if (!Array.isArray(chunks)) return out;
  for (const chunk of chunks as Uint8Array[]) {
    for (let i = 0; i < chunk.length && out.length < n; i++) out.push(chunk[i]!);
    if (out.length >= n) break;
  }
  return out;
}

/**
 * Watches `child`'s IPC channel; calls `onCorrupt` once with a `ProcessError` describing the bad
 * input the first time the child sends bytes that are not a message. Messages decoded before that
 * are delivered as usual; nothing after it is.
 */
export function guardChannel(child: ChildProcess, onCorrupt: (error: ProcessError) => void): void {
  const handleKey = symbolNamed(child, 'kChannelHandle');
  const handle = handleKey && ((child as unknown as Record<symbol, unknown>)[handleKey] as ChannelHandle);
  const original = handle?.onread;
  if (!handle || typeof original !== 'function') return;
  const bufferKey = symbolNamed(handle, 'kMessageBuffer');
  const sizeKey = symbolNamed(handle, 'kMessageBufferSize');
  let corrupt = false;
  const fail = (detail: string, cause?: unknown) => {
    corrupt = true;
    // What is left unparsed is junk too: let it go.
    if (bufferKey) handle[bufferKey] = [];
    if (sizeKey) handle[sizeKey] = 0;
    const error = new ProcessError(
      `child process ${child.pid} wrote bytes that are not a message to its IPC channel (${detail}). ` +
        'That descriptor (fd 3) belongs to multiproc: write output to stdout or stderr, or send values with a Queue or Pipe.',
      cause === undefined ? undefined : { cause },
    );
    corruptions.add(error);
    onCorrupt(error);
  };
  handle.onread = function guardedRead(this: unknown, ...args: unknown[]) {
    // Without data this is the end of the stream: Node closes the channel, and 'disconnect' follows.
    if (corrupt && args[0]) return undefined;
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      fail('Node could not decode them', error);
      return undefined;
    }
    if (!corrupt && bufferKey) {
      const bytes = head(handle[bufferKey], LENGTH_BYTES + 1);
      if (bytes.length > LENGTH_BYTES && bytes[LENGTH_BYTES] !== V8_VERSION_TAG) {
        fail(`a frame began with ${bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
      }
    }
    return result;
  };
}
