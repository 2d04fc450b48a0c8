// A queue made in a worker that ends while its reader in another process does not read: the exit's
// flush writes what the home pushes to that reader (the bequest, then H_HEIR) for at most
// EXIT_FLUSH_MS, then gives up, and the home's will for the reader holds every item it sent and
// was not told taken. The reader had already received frames over its link, so it threw that will
// away (it could not tell which of its items it had) and ended with EOFError saying its home was
// killed, the items past what its socket held lost. Now the will says from which item on it holds
// them: the reader skips those it took, keeps the rest in order, then ends normally.
import { type Connection, EOFError, Pipe, type Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startPeer } from './helpers.ts';

afterEach(killAll);

const N = 120;
const SIZE = 20_000; // 2.4 MB in all: well past what a Unix socket buffers

describe('a queue whose home in a worker ends while its reader in another process stalls', () => {
  it('hands the reader every item through its will, in order, none lost', { timeout: 40_000 }, async () => {
    const [a, b] = Pipe();
    const peer = startPeer('process', 'endWhileReaderStalls', b, N, SIZE);
    b.close();
    const q = (await (a as Connection<unknown>).recv()) as Queue<{ i: number; pad: string }>;
    const got = [(await q.get({ timeout: 20_000 })).i];
    a.send('go');
    expect(await peer.result).toBe(N);
    // Stalled past the worker's exit flush (5 s): its home gives up writing to this reader.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6_500);
    let end: unknown;
    for (;;) {
      try {
        got.push((await q.get({ timeout: 20_000 })).i);
      } catch (err) {
        end = err;
        break;
      }
    }
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(end).toBeInstanceOf(EOFError);
    expect((end as Error).message).not.toMatch(/lost/);
    q.close();
    a.close();
  });
});
