// Contract audit, session 59: sentences of CONTRACT.md (its Pool and IPC sections on failure and
// delivery above all) that the earlier audits (contract-audit-54, contract-pool-audit,
// contract-shared-process-audit, contract-57) and the packages' own tests left unpinned, checked as a
// user would, through the umbrella's built output, against real threads and child processes. Each
// case quotes the words it checks.
import { createRequire } from 'node:module';
import mp, {
  ContextError,
  type Pool,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/contract-59-tasks.mjs';
import { type Context, eventually, lines, rejection, scratchFiles, sleep, within } from './report-helpers.ts';

// The umbrella does not depend on zod; a user passes their own, here the one ipc resolves.
const { z } = (await import(
  createRequire(new URL('../../ipc/package.json', import.meta.url)).resolve('zod')
)) as { z: any }; // zod's own types are not among this package's dependencies

const CONTEXTS = matrix(import.meta.url) as readonly Context[];
const scratchFile = scratchFiles('contract-59-');
const T = { timeout: 60_000 };
const pools: Pool[] = [];
const newPool = (options: ConstructorParameters<typeof mp.Pool>[0]) => {
  const pool = new mp.Pool(options);
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

/** The tags written to `file` more than once (a call that ran twice). */
const twice = (file: string) => lines(file).filter((tag, i, all) => all.indexOf(tag) !== i);

/** How each of `calls` settled: its value, or the name of its error. */
const settledAs = async (calls: PromiseLike<unknown>[]) =>
  (await Promise.allSettled(calls)).map((s) =>
    s.status === 'fulfilled' ? s.value : (s.reason as Error).name,
  );

describe.each(CONTEXTS)("Pool, context '%s'", (context) => {
  it(
    '"A worker that dies mid-task (... process.exit ...) rejects the call ... with WorkerCrashedError": exit code 0 too',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const err = (await rejection(pool.apply(tasks.exitWith, [0]))) as WorkerCrashedError;
      expect([err, err.exitCode, err.signal]).toEqual([expect.any(WorkerCrashedError), 0, null]);
      expect(await pool.apply(tasks.square, [4])).toBe(16);
    },
  );

  it(
    '"calls sent to that worker together with the fatal one ... run on another worker": also when a timeout or an abort recycles it',
    T,
    async () => {
      for (const processes of [1, 2]) {
        for (const how of ['timeout', 'abort'] as const) {
          const pool = newPool({ processes, context });
          await pool.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 }); // every worker started
          const file = scratchFile();
          const ac = new AbortController();
          const stop = how === 'timeout' ? { timeout: 1000 } : { signal: ac.signal };
          const calls = [pool.apply(tasks.markSleep, [file, 'long', 5000], stop)];
          for (let i = 0; i < 6; i++) calls.push(pool.apply(tasks.markSleep, [file, `c${i}`, 20]));
          // The abort comes once the long call runs (the timeout leaves it a second to start).
          void eventually(() => lines(file).includes('long'), 20_000).then(() => ac.abort());
          const label = `${how}, ${processes} workers`;
          expect(await settledAs(calls), label).toEqual([
            how === 'timeout' ? 'TimeoutError' : 'AbortError',
            'c0',
            'c1',
            'c2',
            'c3',
            'c4',
            'c5',
          ]);
          expect([twice(file), lines(file).length], label).toEqual([[], 7]);
        }
      }
    },
  );

  it(
    '"a timeout rejects with TimeoutError, an abort with ... AbortError": a call still queued then never runs; nor do an aborted map\'s queued chunks',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const file = scratchFile();
      const running = pool.apply(tasks.markSleep, [file, 'running', 600]);
      const queued = pool.apply(tasks.markSleep, [file, 'timed-out', 10], { timeout: 100 });
      expect(await rejection(queued)).toBeInstanceOf(TimeoutError);
      expect(await running).toBe('running');
      const ac = new AbortController();
      const map = pool.starmap(
        tasks.markSleep,
        [1, 2, 3, 4].map((i) => [file, `chunk${i}`, 300]),
        { chunksize: 1, signal: ac.signal },
      );
      await eventually(() => lines(file).includes('chunk1'), 20_000);
      ac.abort();
      expect((await rejection(map)).name).toBe('AbortError');
      await sleep(1000); // time for a chunk that wrongly ran
      expect(lines(file)).toEqual(['running', 'chunk1']);
    },
  );

  it(
    '"A task that throws rejects that call with an error of the same name and message ... cause preserved where it can be cloned": at the edges',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      // A built-in error renamed, and a user class derived from a built-in: name, message and fields kept.
      const renamed = await rejection(pool.apply(tasks.throwRenamed, []));
      expect([renamed instanceof RangeError, renamed.name, renamed.message]).toEqual([
        true,
        'OutOfRange',
        'renamed',
      ]);
      const derived = (await rejection(pool.apply(tasks.throwSubclass, []))) as Error & { line?: number };
      expect([derived.name, derived.message, derived.line]).toEqual(['ParseFailure', 'sub', 3]);
      expect(derived).not.toBeInstanceOf(mp.ProcessError);
      // A cause or a field that cannot be cloned does not lose the error, nor its other fields.
      const badCause = await rejection(pool.apply(tasks.throwUncloneableCause, []));
      expect([badCause instanceof RangeError, badCause.message, typeof badCause.cause]).toEqual([
        true,
        'bad cause',
        'object',
      ]);
      const badField = (await rejection(pool.apply(tasks.throwUncloneableField, []))) as Error & {
        n?: number;
      };
      expect([badField instanceof TypeError, badField.message, badField.n]).toEqual([true, 'bad field', 7]);
      expect(await pool.apply(tasks.square, [6])).toBe(36);
    },
  );

  it(
    '"R[] in input order" for any iterable "including an endless one": a failed item ends map, starmap and mapAsync all the same, and closes the input',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      for (const method of ['map', 'starmap', 'mapAsync'] as const) {
        for (const isAsync of [false, true]) {
          let read = 0;
          let closed = false;
          const item = (i: number) => (method === 'starmap' ? [i, 5] : i);
          function* endless() {
            try {
              for (let i = 0; ; i++, read++) yield item(i);
            } finally {
              closed = true;
            }
          }
          async function* endlessAsync() {
            yield* endless();
          }
          const input = isAsync ? endlessAsync() : endless();
          const options = { chunksize: 1 };
          const call =
            method === 'map'
              ? pool.map(tasks.failAt, input as Iterable<number>, options)
              : method === 'starmap'
                ? pool.starmap(tasks.failAt, input as Iterable<[number, number]>, options)
                : pool.mapAsync(tasks.failAt, input as Iterable<number>, options).get();
          const label = `${method} ${isAsync ? 'async' : 'sync'}`;
          const err = await within(rejection(call), 20_000);
          expect([err instanceof RangeError, (err as Error).message], label).toEqual([true, 'item 5 failed']);
          const after = read;
          await sleep(100);
          expect([read, closed], label).toEqual([after, true]);
        }
      }
    },
  );

  it(
    '"errorCallback" is called once with the call\'s error however it failed: a crash, a timeout, an abort, terminate(); callback never',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      const seen: string[] = [];
      const options = (tag: string) => ({
        callback: () => seen.push(`${tag}:callback`),
        errorCallback: (e: unknown) => seen.push(`${tag}:${(e as Error).name}`),
      });
      const ac = new AbortController();
      const results = [
        pool.applyAsync(tasks.exitWith, [2], options('crash')),
        pool.applyAsync(tasks.sleep, [20_000], { ...options('timeout'), timeout: 100 }),
        pool.mapAsync(tasks.sleep, [20_000], { ...options('abort'), signal: ac.signal }),
      ];
      ac.abort();
      for (const r of results) await r.wait(20_000);
      const pending = pool.starmapAsync(tasks.add, [[1, 2]], options('pending'));
      const running = pool.applyAsync(tasks.sleep, [20_000], options('running'));
      await sleep(100);
      await pool.terminate();
      await pending.wait(20_000);
      await running.wait(20_000);
      await sleep(50); // a second call of a callback would come now
      expect(seen.sort()).toEqual(
        [
          'abort:AbortError',
          'crash:WorkerCrashedError',
          'running:PoolClosedError',
          'timeout:TimeoutError',
          // starmapAsync's call was sent before terminate() and may have finished in time
          seen.includes('pending:callback') ? 'pending:callback' : 'pending:PoolClosedError',
        ].sort(),
      );
      expect([running.ready(), running.successful()]).toEqual([true, false]);
    },
  );

  it(
    '"Passed to a \'process\' context they fail fast with ContextError ... as the rejection of the call for a pool task": every way of submitting',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const v = new mp.Value('i', 1);
      const submit = {
        applyAsync: () => pool.applyAsync(tasks.echo, [v]).get(),
        map: () => pool.map(tasks.echo, [1, v]),
        mapAsync: () => pool.mapAsync(tasks.echo, [1, v]).get(),
        starmap: () =>
          pool.starmap(tasks.add, [
            [1, 2],
            [v, 1],
          ]),
        imap: async () => {
          for await (const _ of pool.imap(tasks.echo, [v]));
        },
        imapUnordered: async () => {
          for await (const _ of pool.imapUnordered(tasks.echo, [v]));
        },
      };
      for (const [name, call] of Object.entries(submit)) {
        let started: Promise<unknown>;
        try {
          started = call();
        } catch (err) {
          throw new Error(`${name} threw instead of rejecting: ${(err as Error).name}`);
        }
        const outcome = await started.then(
          () => 'ran',
          (e: Error) => e,
        );
        if (context === 'thread') expect(outcome, name).toBe('ran');
        else {
          expect(outcome, name).toBeInstanceOf(ContextError);
          expect((outcome as Error).message, name).toMatch(
            name === 'applyAsync' ? /args\[0\]/ : /items\[\d\]/,
          );
        }
      }
      expect(await pool.apply(tasks.square, [3])).toBe(9);
    },
  );
});

describe("Pool, 'process' context: a worker killed while idle", () => {
  it(
    '"No pool call ever hangs because a worker died": the calls after it run on its replacement',
    T,
    async () => {
      const pool = newPool({ processes: 2, context: 'process' });
      const pids = new Set(await pool.map(tasks.pid, [1, 2, 3, 4], { chunksize: 1 }));
      for (const pid of pids) process.kill(pid as number, 'SIGKILL');
      await sleep(100);
      expect(await within(pool.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 }), 20_000)).toEqual([
        1, 4, 9, 16,
      ]);
      expect(await within(pool.apply(tasks.square, [5]), 20_000)).toBe(25);
    },
  );
});

describe.each(CONTEXTS)("IPC across a '%s' worker", (context) => {
  it(
    '"for await (const v of b) {}  // iteration ends when the other end closes": the other end held by a worker that returned, or closed here',
    T,
    async () => {
      const [a, b] = mp.Pipe();
      const p = new mp.Process({ target: tasks.sendAll, args: [b, [1, 2, 3]], context });
      p.start();
      b.close();
      const got: unknown[] = [];
      for await (const v of a) got.push(v);
      expect(got).toEqual([1, 2, 3]);
      await p.join();
      const [c, d] = mp.Pipe();
      const pool = newPool({ processes: 1, context });
      const iterated = pool.apply(tasks.iterate, [d]);
      d.close();
      c.send('x');
      c.send('y');
      c.close();
      expect(await iterated).toEqual(['x', 'y']);
    },
  );

  it(
    '"What a worker sends or puts before it ends (... throws, or calls process.exit() ...) is delivered": a pool task\'s worker too',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const size = 100_000; // over 64 KiB: each value takes more than one write
      for (const how of ['exit', 'uncaught'] as const) {
        for (const kind of ['putNowait', 'put', 'send', 'sendBytes'] as const) {
          const q = new mp.Queue<{ i: number }>();
          const [a, b] = mp.Pipe();
          const onQueue = kind.startsWith('put');
          const call = pool.apply(tasks.putThenDie, [onQueue ? q : b, kind, 5, size, how]);
          b.close();
          expect(await rejection(call), `${how} ${kind}`).toBeInstanceOf(WorkerCrashedError);
          const got: unknown[] = [];
          for (;;) {
            try {
              // Five values are awaited as long as need be; then nothing more comes.
              if (onQueue) got.push((await q.get(got.length < 5 ? 20_000 : 200)).i);
              else if (kind === 'send') got.push(((await a.recv()) as { i: number }).i);
              else got.push((await a.recvBytes())[0]);
            } catch (err) {
              got.push((err as Error).name);
              break;
            }
          }
          expect(got, `${how} ${kind}`).toEqual([0, 1, 2, 3, 4, onQueue ? 'QueueEmptyError' : 'EOFError']);
        }
      }
    },
  );

  it(
    '"A value is never lost silently": what a killed reader held unread (a queue copy or a pipe end reads ahead) comes back, in order',
    T,
    async () => {
      for (const kind of ['queue', 'pipe'] as const) {
        const q = new mp.Queue<number>();
        const [a, b] = mp.Pipe();
        for (let i = 0; i < 500; i++) kind === 'queue' ? q.putNowait(i) : a.send(i);
        const [report, reporter] = mp.Pipe({ duplex: false });
        const reader = new mp.Process({
          target: tasks.takeThenWait,
          args: [kind === 'queue' ? q : b, 3, kind === 'pipe', reporter],
          context,
        });
        reader.start();
        reporter.close();
        expect(await report.recv(), kind).toEqual([0, 1, 2]);
        await sleep(100); // time to read ahead
        reader.kill();
        await reader.join();
        const rest: number[] = [];
        for (let i = 3; i < 500; i++)
          rest.push(kind === 'queue' ? await q.get(20_000) : ((await b.recv()) as number));
        expect(rest, kind).toEqual(Array.from({ length: 497 }, (_, i) => i + 3));
      }
    },
  );

  it(
    '"jq.taskDone(); await jq.join()": taskDone() in a worker ends join() here; one too many throws',
    T,
    async () => {
      const jq = new mp.JoinableQueue<number>();
      for (const i of [1, 2, 3]) jq.putNowait(i);
      const pool = newPool({ processes: 1, context });
      const consumed = pool.apply(tasks.consume, [jq, 3]);
      expect(await within(jq.join(), 20_000)).toBeUndefined();
      expect(await consumed).toEqual([1, 2, 3]);
      // Python: "task_done() called too many times" (ValueError)
      expect(() => jq.taskDone()).toThrow(ValidationError);
    },
  );

  it(
    '"A queue, pipe or connection with a schema validates every received value": in the worker it was passed to, too',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const q = new mp.Queue<number>({ schema: z.number() });
      const got = pool.apply(tasks.getOne, [q]);
      q.putNowait('x' as never);
      const bad = await rejection(got);
      expect(bad).toBeInstanceOf(ValidationError);
      q.putNowait(2);
      expect(await pool.apply(tasks.getOne, [q])).toBe(2);
      const [a, b] = mp.Pipe({ schema: z.number() });
      const recv = pool.apply(tasks.recvOne, [b]);
      a.send('x' as never);
      expect(await rejection(recv)).toBeInstanceOf(ValidationError);
    },
  );

  it(
    '"the parent closing its copy after start() does not close the child\'s": a producer and a consumer child go on talking, on a queue and on a pipe',
    T,
    async () => {
      const range = Array.from({ length: 100 }, (_, i) => i);
      const q = new mp.Queue<number>({ maxsize: 5 });
      const [report, reporter] = mp.Pipe({ duplex: false });
      const producer = new mp.Process({ target: tasks.produce, args: [q, 100], context });
      const consumer = new mp.Process({
        target: tasks.takeThenWait,
        args: [q, 100, false, reporter],
        context,
      });
      producer.start();
      consumer.start();
      q.close();
      reporter.close();
      expect(await report.recv()).toEqual(range);
      consumer.kill();
      await Promise.all([producer.join(), consumer.join()]);
      expect(producer.exitCode).toBe(0);
      const [a, b] = mp.Pipe();
      const [pipeReport, pipeReporter] = mp.Pipe({ duplex: false });
      const sender = new mp.Process({ target: tasks.produce, args: [a, 100], context });
      const receiver = new mp.Process({ target: tasks.drainTo, args: [b, pipeReporter], context });
      sender.start();
      receiver.start();
      a.close();
      b.close();
      pipeReporter.close();
      expect(await pipeReport.recv()).toEqual([...range, 'EOFError']);
      await Promise.all([sender.join(), receiver.join()]);
      expect([sender.exitCode, receiver.exitCode]).toEqual([0, 0]);
    },
  );

  it(
    '"Each side\'s close() closes only its own handle": a worker that closed its copy gets ClosedError there; this side\'s copy still works',
    T,
    async () => {
      const q = new mp.Queue<number>();
      const pool = newPool({ processes: 1, context });
      expect(await pool.apply(tasks.closeThenUse, [q])).toBe('ClosedError');
      q.putNowait(5);
      expect(await q.get(5000)).toBe(5);
    },
  );
});
