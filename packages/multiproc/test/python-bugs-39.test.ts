// More scenarios of public CPython multiprocessing / concurrent.futures bug reports (bugs.python.org
// "bpo-N", github.com/python/cpython "gh-N") and of libraries built like it, run against this library
// in both contexts. Each asserts the report's fixed behaviour, translated by the contract (camelCase,
// Promises, milliseconds); where Python still hangs, the contract's answer is asserted instead.
import { Manager, Pipe, Process } from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { managed as mt, tasks as t } from './fixtures/bugs-39-tasks.mjs';
import { CONTEXTS, poolsEndedAfterEach, runProgram } from './report-helpers.ts';

const pool = poolsEndedAfterEach();

/** A generator that raises `error` once it yielded `before` items. */
function* failingAfter(before: number, error: Error): Generator<number> {
  for (let i = 0; i < before; i += 1) yield i;
  throw error;
}

/** Runs bugs-39-program.mjs with `args` (and node `flags`). */
const program = (args: string[], flags: string[] = []) => runProgram('bugs-39-program.mjs', args, flags);

describe.each(CONTEXTS)('CPython Pool bug reports (39), %s context', (context) => {
  // bpo-28699 (gh-72885): an iterable raising at its very first item left map/imap hanging.
  it('bpo-28699: an input that raises at its first item fails map, starmap, imap, imapUnordered with it', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    for (const chunksize of [1, 3]) {
      const boom = new RangeError(`first item, chunksize ${chunksize}`);
      await expect(p.map(t.square, failingAfter(0, boom), { chunksize })).rejects.toBe(boom);
      await expect(p.mapAsync(t.square, failingAfter(0, boom), { chunksize }).get(5_000)).rejects.toBe(boom);
      await expect(p.starmap(t.square, failingAfter(0, boom) as never, { chunksize })).rejects.toBe(boom);
      const drain = async (it: AsyncIterable<unknown>) => {
        const seen: unknown[] = [];
        for await (const v of it) seen.push(v);
        return seen;
      };
      await expect(drain(p.imap(t.square, failingAfter(0, boom), { chunksize }))).rejects.toBe(boom);
      await expect(drain(p.imapUnordered(t.square, failingAfter(0, boom), { chunksize }))).rejects.toBe(boom);
      // raised later: imap yields the items before it first, in order
      const seen: unknown[] = [];
      const later = await (async () => {
        for await (const v of p.imap(t.square, failingAfter(4, boom), { chunksize })) seen.push(v);
      })().catch((e: unknown) => e);
      expect([later, seen]).toEqual([boom, [0, 1, 4, 9]]);
    }
    expect(await p.map(t.square, [1, 2, 3])).toEqual([1, 4, 9]);
  });

  // gevent #423, grequests #11: imap over an empty iterator never ended.
  it('gevent #423: imap and imapUnordered over an empty sync or async iterable end at once', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    async function* none(): AsyncGenerator<number> {}
    for (const input of [[], [][Symbol.iterator](), none()]) {
      const seen: unknown[] = [];
      for await (const v of p.imap(t.square, input as Iterable<number>)) seen.push(v);
      expect(seen).toEqual([]);
    }
    for await (const v of p.imapUnordered(t.square, none())) expect.unreachable(String(v));
    expect(await p.map(t.square, [])).toEqual([]);
    expect(await p.starmapAsync(t.square, []).get(1000)).toEqual([]);
  });

  // lambda_multiprocessing #17: a second large job sent to a busy child filled the pipe; both sides hung.
  it('lambda_multiprocessing #17: two 16 MiB arguments to a pool of one, while it is busy, complete', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const size = 16 * 1024 * 1024;
    const data = [new Uint8Array(size).fill(1), new Uint8Array(size).fill(2)];
    const busy = p.apply(t.sleep, [100]);
    expect(await p.map(t.slowLength, data, { chunksize: 1 })).toEqual([size, size]);
    expect(await busy).toBe(100);
  });

  // gh-148318: exitcode was sometimes None right after join() of processes started from two threads.
  it('gh-148318: Processes started and joined from two concurrent loops all have their exit code after join()', {
    timeout: 60_000,
  }, async () => {
    const loop = async () => {
      const bad: string[] = [];
      for (let round = 0; round < 3; round += 1) {
        const ps = Array.from(
          { length: 2 },
          () => new Process({ target: t.identity, args: [round], context }),
        );
        for (const p of ps) p.start();
        for (const p of ps) {
          await p.join();
          if (p.exitCode !== 0 || p.isAlive()) bad.push(`${p.pid}: ${p.exitCode} ${p.isAlive()}`);
          p.close();
        }
      }
      return bad;
    };
    expect((await Promise.all([loop(), loop()])).flat()).toEqual([]);
  });

  // gh-130895 (and bpo-1731717): join/wait/poll raced each other, and with a terminate() made before
  // the child had even started; exitcode could read None after join().
  it('gh-130895: terminate() right after start(), concurrent join()s and isAlive() polls agree', {
    timeout: 30_000,
  }, async () => {
    for (const how of ['terminate', 'kill'] as const) {
      const p = new Process({ target: t.sleep, args: [20_000], context });
      p.start();
      const polls: boolean[] = [];
      const poll = (async () => {
        while (p.isAlive()) await new Promise((resolve) => setTimeout(resolve, 1));
        polls.push(p.isAlive());
      })();
      const joins = [p.join(), p.join(10_000), p.join()];
      if (how === 'terminate') await p.terminate();
      else p.kill();
      await Promise.all([...joins, poll]);
      const code = how === 'terminate' ? -15 : -9;
      expect([p.exitCode, p.isAlive(), polls]).toEqual([code, false, [false]]);
      await p.join(); // again, once it ended
      p.close();
    }
  });

  // cog #756 (and Python's "joining processes that use queues" guideline): a child that sent more than
  // a pipe holds, joined before anything was read; Python deadlocks there.
  it('cog #756: a child that sent 4 MiB on a Pipe can be joined before the data is read', {
    timeout: 30_000,
  }, async () => {
    const [reader, writer] = Pipe({ duplex: false });
    const child = new Process({ target: t.sendBig, args: [writer, 4], context });
    child.start();
    writer.close();
    await child.join(20_000);
    expect(child.exitCode).toBe(0);
    expect(((await reader.recv()) as string).length).toBe(4 * 1024 * 1024);
    expect(await reader.recv()).toBe('done');
    await expect(reader.recv()).rejects.toMatchObject({ name: 'EOFError' });
    reader.close();
  });
});

describe.each(CONTEXTS)('CPython manager bug reports (39), %s context', (context) => {
  // bpo-30256: a managed Queue nested inside a managed dict could not be used by a child.
  it('bpo-30256: a manager Queue stored in a manager dict is used by a worker', {
    timeout: 30_000,
  }, async () => {
    using manager = Manager();
    const d = manager.dict<string, unknown>();
    const q = manager.Queue();
    await d.set('queue', q);
    const p = pool({ processes: 2, context });
    await Promise.all([p.apply(mt.putViaDict, [d]), p.apply(mt.putViaDict, [d])]);
    const got = [await q.get({ timeout: 5000 }), await q.get({ timeout: 5000 })];
    expect(got.every((v) => String(v).startsWith('from '))).toBe(true);
  });

  // bpo-47036 / bpo-32538: a list nested in a managed dict is a copy: editing it changes nothing,
  // storing it back does (Python's documented behaviour).
  it('bpo-47036: editing a nested list read from a manager dict does not change it; setting it back does', {
    timeout: 30_000,
  }, async () => {
    using manager = Manager();
    const d = manager.dict<string, unknown>([['inner', [1, 2]]]);
    const p = pool({ processes: 1, context });
    await p.apply(mt.nestedEdit, [d]);
    expect(await d.get('inner')).toEqual([1, 2]);
    expect(await d.get('stored')).toEqual([1, 2, 'kept']);
  });

  // gh-103134: ListProxy lacked clear() and copy().
  it('gh-103134: a manager list clear() and copy() from a worker', { timeout: 30_000 }, async () => {
    using manager = Manager();
    const l = manager.list<number>([1, 2, 3]);
    const p = pool({ processes: 1, context });
    expect(await p.apply(mt.listClearCopy, [l])).toEqual([4, 5]);
    expect(await l.copy()).toEqual([4, 5]);
  });
});

describe.each(CONTEXTS)('CPython whole-program reports (39), %s context', (context) => {
  // bpo-35629 / bpo-35378: `Pool(...).imap(...)` of a pool nobody holds hung or leaked its workers.
  it('bpo-35629: iterating the imap of an unreferenced, never closed pool completes and the program ends', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await program(['imap-unreferenced', context]);
    expect([code, stdout.trim()]).toEqual([0, 'SEEN [1,4,9,16]']);
  });

  // gh-152967: futures of an executor collected while a max_tasks_per_child worker exits never completed.
  it('gh-152967: calls of a dropped, collected pool with maxTasksPerChild 1 all complete; the program ends', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await program(['dropped-pool', context], ['--expose-gc']);
    expect([code, stdout.trim()]).toEqual([0, 'RESULTS [0,1,4,9]']);
  });
});
