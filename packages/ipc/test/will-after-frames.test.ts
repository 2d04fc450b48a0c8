// A queue (or pipe) made in a worker that ends while its reader in another process does not read: the
// exit's flush writes what the home pushes to that reader (the bequest, then H_HEIR) for at most
// EXIT_FLUSH_MS, then gives up, and the home's will for the reader holds every item it sent and was not
// told taken. The reader had already received frames over its link, so it threw that will away (it could
// not tell which of its items it had) and ended with EOFError saying its home was killed, the items past
// what its socket held lost. Now the will says from which item on it holds them: the reader skips those it
// took, keeps the rest in order, then ends normally. A pipe's worker ends with process.exit(): its home
// would keep it alive while its reader waits.
import { type Connection, EOFError, Pipe, type Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startPeer } from './helpers.ts';

afterEach(killAll);

const N = 120;
const SIZE = 20_000; // 2.4 MB in all: well past what a Unix socket buffers

interface Item {
  i: number;
  pad: string;
}

describe.each(['queue', 'pipe'])(
  'a %s whose home in a worker ends while its reader in another process stalls',
  (kind) => {
    it('hands the reader every item through its will, in order, none lost', { timeout: 40_000 }, async () => {
      const [a, b] = Pipe();
      const peer = startPeer('process', 'endWhileReaderStalls', b, kind, N, SIZE);
      b.close();
      const r = (await (a as Connection<unknown>).recv()) as Queue<Item> | Connection<Item>;
      const take = () => ('get' in r ? r.get({ timeout: 20_000 }) : r.recv());
      const got = [(await take()).i];
      a.send('go');
      // Stalled past the worker's exit flush (5 s): its home gives up writing to this reader.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6_500);
      expect(await peer.result).toBe(N);
      let end: unknown;
      for (;;) {
        try {
          got.push((await take()).i);
        } catch (err) {
          end = err;
          break;
        }
      }
      expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(end).toBeInstanceOf(EOFError);
      expect((end as Error).message).not.toMatch(/lost/);
      r.close();
      a.close();
    });
  },
);
