// close() then join() while an imap call's consumer has read only part of it: as in Python (whose
// task handler feeds every task of a call whatever its consumer reads), join() resolves once every
// item has run, the results wait for the consumer, and no worker starts after join().
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pool, PoolClosedError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/close-imap-tasks.mjs';
import { tasks as failing } from './fixtures/imap-failure-tasks.mjs';
import { poolMaker, runProgram } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh file for the `record` task to append to. */
function logFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-close-imap-'));
  dirs.push(dir);
  return join(dir, 'ran.log');
}

/** The items the `record` task ran, in the order they ran. */
function ran(log: string): number[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').map(Number);
}

const HUNDRED = Array.from({ length: 100 }, (_, i) => i);

/** Counts the workers `pool` starts from now on. */
function countStarts(pool: Pool): () => number {
  let starts = 0;
  pool.on('workerCreate', () => starts++);
  return () => starts;
}

async function rest<T>(it: AsyncIterator<T>): Promise<T[]> {
  const out: T[] = [];
  for (let step = await it.next(); !step.done; step = await it.next()) out.push(step.value);
  return out;
}

describe.each(matrix(import.meta.url))('close() and join() under an open imap, %s context', (context) => {
  const makePool = poolMaker();

  describe.each([
    ['imap', true],
    ['imapUnordered', false],
  ] as const)('%s', (method, ordered) => {
    it.each([1, undefined])(
      'join() resolves only once all 100 items ran (chunksize %s); the loop then gets them all, starting no worker',
      async (chunksize) => {
        const log = logFile();
        const pool = makePool({ processes: 2, context });
        const it = pool[method](
          tasks.record,
          HUNDRED.map((x) => [log, x] as [string, number]),
          chunksize === undefined ? {} : { chunksize },
        );
        const first = await it.next();
        pool.close();
        await pool.join();
        expect(ran(log).sort((a, b) => a - b)).toEqual(HUNDRED);
        const starts = countStarts(pool);
        const results = [first.value as number, ...(await rest(it))];
        expect(ordered ? results : results.sort((a, b) => a - b)).toEqual(HUNDRED);
        expect(starts()).toBe(0);
        expect(pool.stats().workers).toBe(0);
        expect(ran(log)).toHaveLength(100);
      },
    );

    it('a loop never started runs its generator input at close(); it reads every result after join()', async () => {
      const log = logFile();
      const pool = makePool({ processes: 2, context });
      function* items(): Generator<[string, number]> {
        for (const x of HUNDRED) yield [log, x];
      }
      const it = pool[method](tasks.record, items());
      pool.close();
      await pool.join();
      expect(ran(log).sort((a, b) => a - b)).toEqual(HUNDRED);
      const starts = countStarts(pool);
      const results = await rest(it);
      expect(ordered ? results : results.sort((a, b) => a - b)).toEqual(HUNDRED);
      expect(starts()).toBe(0);
    });

    it('an async generator input is read to its end at close()', async () => {
      const log = logFile();
      const pool = makePool({ processes: 2, context });
      async function* items(): AsyncGenerator<[string, number]> {
        for (const x of HUNDRED) {
          await null;
          yield [log, x];
        }
      }
      const it = pool[method](tasks.record, items(), { chunksize: 3 });
      const first = await it.next();
      pool.close();
      await pool.join();
      expect(ran(log).sort((a, b) => a - b)).toEqual(HUNDRED);
      const results = [first.value as number, ...(await rest(it))];
      expect(ordered ? results : results.sort((a, b) => a - b)).toEqual(HUNDRED);
    });

    // 100 calls of a fresh program: over 20 s once in CI, where every package's tests share 2 cores.
    it('a loop that is never read again: join() waits for all 100 items, then the program ends', {
      timeout: 90_000,
    }, async () => {
      const log = logFile();
      const { stdout, stderr, code } = await runProgram('close-imap.mjs', [context, method, log], {}, 80_000);
      expect([code, stdout], stderr).toEqual([0, 'ran 100\n']);
    });
  });

  it('a loop left at a failed item reads no more at close(); going on after join() ends with PoolClosedError', async () => {
    const pool = makePool({ processes: 2, context });
    function* naturals(): Generator<number> {
      for (let x = 0; ; x++) yield x;
    }
    const it = pool.imap(failing.failOn5, naturals(), { chunksize: 1 });
    for (let x = 0; x < 5; x++) expect((await it.next()).value).toBe(x);
    // A for await loop ends here without return(): the consumer has left.
    await expect(it.next()).rejects.toBeInstanceOf(RangeError);
    pool.close();
    await pool.join();
    const starts = countStarts(pool);
    await expect(rest(it)).rejects.toBeInstanceOf(PoolClosedError);
    expect(starts()).toBe(0);
  });

  it.each([
    ['join', 'sync'],
    ['join', 'async'],
    ['terminate', 'sync'],
    ['terminate', 'async'],
  ] as const)(
    'a loop that left at a failed item has its input closed by %s() (%s input)',
    async (end, kind) => {
      for (let round = 0; round < 3; round++) {
        const pool = makePool({ processes: 2, context });
        let reads = 0;
        let closes = 0;
        // Endless inputs: a finite one can be read to its end (closing it) before item 5 fails
        // (Node 22 and 24 read all of 1000 first at times).
        function* sync(): Generator<number> {
          try {
            for (let x = 0; ; x++, reads++) yield x;
          } finally {
            closes++;
          }
        }
        async function* async(): AsyncGenerator<number> {
          try {
            for (let x = 0; ; x++, reads++) {
              await null;
              yield x;
            }
          } finally {
            closes++;
          }
        }
        const got: number[] = [];
        // A for await loop leaves at the failed item without calling the input's return().
        await expect(
          (async () => {
            for await (const v of pool.imap(failing.failOn5, kind === 'sync' ? sync() : async())) got.push(v);
          })(),
        ).rejects.toBeInstanceOf(RangeError);
        expect(got).toEqual([0, 1, 2, 3, 4]);
        expect(closes).toBe(0);
        const readThen = reads;
        if (end === 'join') {
          pool.close();
          await pool.join();
        } else await pool.terminate();
        expect(closes).toBe(1);
        // An async input's next() asked for before the loop left may still finish (one step):
        // what join()/terminate() must not do is ask for another.
        expect(reads - readThen).toBeLessThanOrEqual(kind === 'async' ? 1 : 0);
      }
    },
    60_000,
  );

  it('an input closed for a loop that left is not closed again when the loop goes on', async () => {
    const pool = makePool({ processes: 2, context });
    let closes = 0;
    async function* input(): AsyncGenerator<number> {
      try {
        for (let x = 0; x < 1000; x++) yield x;
      } finally {
        closes++;
      }
    }
    const it = pool.imap(failing.failOn5, input(), { chunksize: 1 });
    for (let x = 0; x < 5; x++) expect((await it.next()).value).toBe(x);
    await expect(it.next()).rejects.toBeInstanceOf(RangeError);
    pool.close();
    await pool.join();
    expect(closes).toBe(1);
    await expect(rest(it)).rejects.toBeInstanceOf(PoolClosedError);
    expect(closes).toBe(1);
  });

  it('an endless input keeps join() pending after close(); terminate() ends the call and join()', async () => {
    const log = logFile();
    const pool = makePool({ processes: 2, context });
    let reached!: () => void;
    const readPast = new Promise<void>((resolve) => {
      reached = resolve;
    });
    function* endless(): Generator<[string, number]> {
      for (let x = 0; ; x++) {
        // Far past the inflight window (4 chunks of 1): only a closed pool's call reads this far.
        if (x === 200) reached();
        yield [log, x];
      }
    }
    const it = pool.imap(tasks.record, endless(), { chunksize: 1 });
    await it.next();
    pool.close();
    let joined = false;
    const joining = pool.join().then(() => {
      joined = true;
    });
    await readPast;
    expect(joined).toBe(false);
    await pool.terminate();
    await joining;
    await expect(rest(it)).rejects.toBeInstanceOf(PoolClosedError);
  });
});
