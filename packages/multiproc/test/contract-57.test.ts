// Contract audit, session 57: sentences of CONTRACT.md that earlier audits (contract-audit-54,
// contract-pool-audit, contract-shared-process-audit, ipc's contract-audit) left unpinned or pinned
// at one edge only, checked as a user would, through the umbrella's built output, against real
// threads and child processes in both contexts (full tier; see vitest.config.ts). Each case quotes
// the words it checks.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import mp, {
  ClosedError,
  ContextError,
  EOFError,
  type Pool,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import {
  counts,
  ends,
  envs,
  errs,
  floods,
  inits,
  late,
  more,
  slowEndless,
  tasks,
} from './fixtures/contract-57-tasks.mjs';
import { type Context, rejection, scratchFiles, sleep, within } from './report-helpers.ts';

// The umbrella does not depend on zod; a user passes their own, here the one ipc resolves.
const { z } = (await import(
  createRequire(new URL('../../ipc/package.json', import.meta.url)).resolve('zod')
)) as { z: any }; // zod's own types are not among this package's dependencies

const CONTEXTS = matrix(import.meta.url) as readonly Context[];
const scratchFile = scratchFiles('contract-57-');
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

/** How a call settled: `=value` (JSON), `!Name` for a rejection, `throws Name`, or `pending` after `ms`. */
async function outcome(f: () => unknown, ms = 5000): Promise<string> {
  let p: unknown;
  try {
    p = f();
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
  if (!(p instanceof Promise)) return `=${JSON.stringify(p)}`;
  const settled = p.then(
    (v: unknown) => `=${JSON.stringify(v)}`,
    (err: Error) => `!${err.name}`,
  );
  return within(settled, ms).then((r) => (r === 'still waiting' ? 'pending' : r));
}

/** Every value `get` gives until it fails, then the failure's name. */
async function drain(get: () => Promise<unknown>): Promise<unknown[]> {
  const got: unknown[] = [];
  for (;;) {
    try {
      got.push(await get());
    } catch (err) {
      got.push((err as Error).name);
      return got;
    }
  }
}

describe.each(CONTEXTS)("Process, context '%s'", (context) => {
  it(
    '"parentProcess() -> { pid, name } | null", currentProcess().name and isMain() in a worker, nested too',
    T,
    async () => {
      const [r, w] = mp.Pipe({ duplex: false });
      const p = new mp.Process({ target: tasks.sendWho, args: [w], context, name: 'greeter' });
      p.start();
      const who = (await r.recv()) as Record<string, unknown>;
      await p.join();
      expect(who).toMatchObject({
        isMain: false,
        name: 'greeter',
        parent: { pid: process.pid, name: 'MainProcess' },
      });
      // The pool worker's own child names the pool worker as its parent.
      const pool = newPool({ processes: 1, context });
      const nested = (await pool.apply(tasks.nestedWho, [context, 'grand'])) as {
        child: Record<string, unknown>;
        me: { pid: number; name: string };
        exitCode: number;
      };
      expect(nested.exitCode).toBe(0);
      expect(nested.child).toMatchObject({ isMain: false, name: 'grand', parent: nested.me });
      expect(mp.isMain()).toBe(true);
      expect(mp.parentProcess()).toBeNull();
    },
  );

  it(
    '"activeChildren() returns the live Process objects this program started": not before start, not after join',
    T,
    async () => {
      const p = new mp.Process({ target: ends.hold, args: [20_000], context });
      expect(mp.activeChildren()).not.toContain(p);
      p.start();
      expect(mp.activeChildren()).toContain(p);
      await p.terminate();
      expect(mp.activeChildren()).not.toContain(p);
    },
  );

  it('"thread context: pid is the OS pid of the hosting process, and p.threadId is set"', T, async () => {
    const p = new mp.Process({ target: tasks.square, args: [2], context });
    p.start();
    await p.join();
    if (context === 'thread') {
      expect(p.pid).toBe(process.pid);
      expect(p.threadId).toEqual(expect.any(Number));
    } else {
      expect(p.pid).not.toBe(process.pid);
    }
    // terminate() and kill() of a process that has ended leave its exit code as it was.
    await p.terminate();
    p.kill();
    expect(p.exitCode).toBe(0);
  });

  it(
    '"join(ms?) ... (or the timeout passes; then exitCode is still null)", also with { timeout }',
    T,
    async () => {
      const p = new mp.Process({ target: ends.hold, args: [20_000], context });
      p.start();
      await p.join({ timeout: 30 });
      expect(p.exitCode).toBeNull();
      expect(p.isAlive()).toBe(true);
      p.kill();
      await p.join();
      expect(p.exitCode).toBe(-9);
    },
  );

  it(
    '"terminate() ... exitCode becomes -15", "kill() ... -9": also for a target spinning in a sync loop, and right after start()',
    T,
    async () => {
      const busy = new mp.Process({ target: ends.busy, context });
      busy.start();
      await sleep(200);
      await busy.terminate();
      expect([busy.exitCode, busy.isAlive()]).toEqual([-15, false]);
      const killed = new mp.Process({ target: ends.busy, context });
      killed.start();
      await sleep(200);
      expect(killed.kill()).toBeUndefined(); // kill() does not wait: join() does
      await killed.join(20_000);
      expect(killed.exitCode).toBe(-9);
      const early = new mp.Process({ target: ends.hold, args: [5000], context });
      early.start();
      await early.terminate();
      expect(early.exitCode).toBe(-15);
      const earlyKill = new mp.Process({ target: ends.hold, args: [5000], context });
      earlyKill.start();
      earlyKill.kill();
      await earlyKill.join(20_000);
      expect(earlyKill.exitCode).toBe(-9);
    },
  );

  it(
    '"Workers and children inherit the parent\'s process.env and working directory": as they are at start, nested too',
    T,
    async () => {
      const home = process.cwd();
      try {
        process.env.CONTRACT_57 = `changed-${context}`;
        process.chdir(tmpdir());
        const [r, w] = mp.Pipe({ duplex: false });
        const p = new mp.Process({ target: envs.sendEnv, args: [w], context });
        p.start();
        expect(await r.recv()).toEqual({ env: `changed-${context}`, cwd: process.cwd() });
        await p.join();
        const pool = newPool({ processes: 1, context });
        expect(await pool.apply(tasks.whoAmI, [])).toMatchObject({
          env: `changed-${context}`,
          cwd: process.cwd(),
        });
        // A worker's own change reaches the workers it starts, of either context.
        for (const inner of ['thread', 'process'] as const) {
          expect(await pool.apply(envs.setThenChild, [`in-${inner}`, inner])).toMatchObject({
            env: `in-${inner}`,
          });
          expect(await pool.apply(envs.setThenProcess, [`p-${inner}`, inner])).toMatchObject({
            env: `p-${inner}`,
          });
        }
      } finally {
        process.chdir(home);
        delete process.env.CONTRACT_57;
      }
    },
  );

  it(
    '"p.pid; p.name; p.daemon": before start() pid and exitCode are null; daemon is set before start() only',
    T,
    async () => {
      const p = new mp.Process({ target: tasks.square, args: [1], context });
      expect([p.pid, p.exitCode, p.isAlive(), p.daemon]).toEqual([null, null, false, false]);
      p.daemon = true; // Python: the daemon flag must be set before start()
      p.name = 'renamed';
      expect([p.daemon, p.name]).toEqual([true, 'renamed']);
      expect(() => {
        p.daemon = 'yes' as never;
      }).toThrow(ValidationError);
      p.start();
      expect(() => {
        p.daemon = false;
      }).toThrow(mp.ProcessError);
      await p.join();
      expect([p.exitCode, p.daemon]).toEqual([0, true]);
    },
  );

  it('"Bad options ... throw ValidationError from the constructor": every option, and unknown ones', () => {
    const bad: Record<string, unknown>[] = [
      { target: tasks.square, args: 1 },
      { target: tasks.square, name: 5 },
      { target: tasks.square, daemon: 'yes' },
      { target: tasks.square, context: 'fork' },
      { target: () => 1 },
      { target: tasks.square, bogus: 1 },
    ];
    for (const options of bad) {
      const err = (() => {
        try {
          new mp.Process({ context, ...options } as never);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, JSON.stringify(Object.keys(options))).toBeInstanceOf(ValidationError);
    }
    // args may be left out; a name is given when none is.
    expect(new mp.Process({ target: tasks.whoAmI, context }).name).toMatch(/^Process-\d+$/);
  });

  it('"an unsendable argument throws SerializationError from start()" naming the path deep inside', () => {
    const p = new mp.Process({ target: tasks.echo, args: [1, { list: [1, { cb: () => 1 }] }], context });
    const err = (() => {
      try {
        p.start();
      } catch (e) {
        return e as SerializationError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SerializationError);
    expect(err?.path).toBe('args[1].list[1].cb');
  });

  it('"after close, every method throws ClosedError"; name and daemon stay readable', T, async () => {
    const p = new mp.Process({ target: tasks.square, args: [1], context, name: 'closing' });
    p.start();
    await p.join();
    p.close();
    for (const use of [() => p.isAlive(), () => p.start(), () => p.kill(), () => p.exitCode, () => p.pid])
      expect(use).toThrow(ClosedError);
    expect(await rejection(p.join())).toBeInstanceOf(ClosedError);
    expect(await rejection(p.terminate())).toBeInstanceOf(ClosedError);
    expect([p.name, p.daemon]).toEqual(['closing', false]);
  });

  it(
    '"getContext(name) returns an object with the same Process, Pool, Queue, Pipe ... bound to that context"',
    T,
    async () => {
      const ctx = mp.getContext(context);
      const pool = new ctx.Pool({ processes: 1 });
      pools.push(pool);
      const inPool = (await pool.apply(tasks.whoAmI, [])) as { pid: number };
      const [r, w] = ctx.Pipe({ duplex: false });
      const p = new ctx.Process({ target: tasks.sendWho, args: [w] });
      p.start();
      const inProcess = (await r.recv()) as { pid: number };
      await p.join();
      const same = context === 'thread';
      expect([inPool.pid === process.pid, inProcess.pid === process.pid, p.exitCode]).toEqual([
        same,
        same,
        0,
      ]);
    },
  );
});

describe("Process, 'process' context: exit codes of signals", () => {
  it(
    '"exitCode ... negative = killed by signal -N, as in Python": any signal, sent from inside or outside',
    T,
    async () => {
      const codes: Record<string, number | null> = {};
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR2', 'SIGQUIT', 'SIGKILL']) {
        const p = new mp.Process({ target: ends.killSelf, args: [signal], context: 'process' });
        p.start();
        await p.join(20_000);
        codes[signal] = p.exitCode;
      }
      expect(codes).toEqual({ SIGTERM: -15, SIGINT: -2, SIGHUP: -1, SIGUSR2: -12, SIGQUIT: -3, SIGKILL: -9 });
      const p = new mp.Process({ target: ends.hold, args: [20_000], context: 'process' });
      p.start();
      await sleep(300);
      process.kill(p.pid as number, 'SIGINT');
      await p.join(20_000);
      expect(p.exitCode).toBe(-2);
    },
  );
});

describe.each(CONTEXTS)("Pool, context '%s'", (context) => {
  it(
    '"A method that returns a Promise reports every error by rejecting, never by throwing synchronously"',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      const cases: [string, () => unknown][] = [
        ['apply, not a TaskRef', () => pool.apply({} as never, [1] as never)],
        ['apply, args not an array', () => pool.apply(tasks.square, 3 as never)],
        ['map, not iterable', () => pool.map(tasks.square, 5 as never)],
        ['map, chunksize 0', () => pool.map(tasks.square, [1], { chunksize: 0 })],
        ['map, chunksize 1.5', () => pool.map(tasks.square, [1], { chunksize: 1.5 })],
        ['map, timeout a string', () => pool.map(tasks.square, [1], { timeout: 'x' as never })],
        ['map, signal a number', () => pool.map(tasks.square, [1], { signal: 5 as never })],
        ['starmap, an item not a list', () => pool.starmap(tasks.add, [1, 2] as never)],
      ];
      for (const [name, call] of cases) expect(await outcome(call), name).toBe('!ValidationError');
      expect(await outcome(() => pool.join())).toBe('!ProcessError'); // Python: ValueError, join before close
      // The ones that return no Promise throw at once.
      expect(await outcome(() => pool.applyAsync({} as never, [1] as never))).toBe('throws ValidationError');
      expect(await outcome(() => pool.imap({} as never, [1]))).toBe('throws ValidationError');
      expect(await outcome(() => pool.imap(tasks.square, 5 as never))).toBe('throws ValidationError');
      expect(await outcome(() => pool.imapUnordered(tasks.square, [1], { inflight: 0 }))).toBe(
        'throws ValidationError',
      );
    },
  );

  it(
    '"After close() ... submitting fails with PoolClosedError": each Promise method rejects, each other one throws',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      pool.close();
      const rejecting = {
        apply: () => pool.apply(tasks.square, [1]),
        map: () => pool.map(tasks.square, [1]),
        starmap: () => pool.starmap(tasks.add, [[1, 2]]),
      };
      const throwing = {
        applyAsync: () => pool.applyAsync(tasks.square, [1]),
        mapAsync: () => pool.mapAsync(tasks.square, [1]),
        starmapAsync: () => pool.starmapAsync(tasks.add, [[1, 2]]),
        imap: () => pool.imap(tasks.square, [1]),
        imapUnordered: () => pool.imapUnordered(tasks.square, [1]),
      };
      for (const [name, call] of Object.entries(rejecting)) {
        expect(await outcome(call), name).toBe('!PoolClosedError');
        expect(await rejection(call() as Promise<unknown>), name).toBeInstanceOf(ClosedError);
      }
      for (const [name, call] of Object.entries(throwing))
        expect(await outcome(call), name).toBe('throws PoolClosedError');
      await pool.join();
    },
  );

  it(
    '"Every submitting call also takes signal?: AbortSignal and timeout?: ms": map, starmap, mapAsync, imap, imapUnordered',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      await pool.map(tasks.sleep, [1, 1], { chunksize: 1 }); // both workers started: timeouts count from the call
      // imap yields what finished in time, then fails (first: each timeout below recycles the workers).
      const imapped: unknown[] = [];
      const imapError = await rejection(
        (async () => {
          for await (const v of pool.imap(tasks.sleep, [1, 20_000], { timeout: 1500, chunksize: 1 }))
            imapped.push(v);
        })(),
      );
      expect([imapError, imapped]).toEqual([expect.any(TimeoutError), [1]]);
      expect(await outcome(() => pool.map(tasks.sleep, [5000, 5000], { timeout: 50 }), 20_000)).toBe(
        '!TimeoutError',
      );
      expect(await outcome(() => pool.mapAsync(tasks.sleep, [5000], { timeout: 50 }).get(), 20_000)).toBe(
        '!TimeoutError',
      );
      const ac = new AbortController();
      const starmap = pool.starmap(tasks.slowSquare, [[1, 5000]], { signal: ac.signal });
      await sleep(50);
      ac.abort('why');
      const aborted = await rejection(starmap);
      expect([aborted.name, aborted.cause]).toEqual(['AbortError', 'why']);
      const stop = new AbortController();
      const unordered: unknown[] = [];
      const reason = new Error('stop');
      const unorderedError = await rejection(
        (async () => {
          for await (const v of pool.imapUnordered(tasks.sleep, [1, 5000], { signal: stop.signal })) {
            unordered.push(v);
            stop.abort(reason);
          }
        })(),
      );
      expect([unorderedError.name, unorderedError.cause, unordered]).toEqual(['AbortError', reason, [1]]);
      const pre = await rejection(pool.apply(tasks.square, [2], { signal: AbortSignal.abort('early') }));
      expect([pre.name, pre.cause]).toEqual(['AbortError', 'early']);
    },
  );

  it(
    '"a timeout rejects with TimeoutError": on time over a slow endless input, on a warm pool (map and imap)',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      await pool.map(
        tasks.square,
        Array.from({ length: 100_000 }, (_, i) => i),
      ); // chunks of thousands
      for (const method of ['map', 'imap'] as const) {
        const started = Date.now();
        const err = await rejection(
          (async () => {
            if (method === 'map') await pool.map(tasks.square, slowEndless(), { timeout: 300 });
            else for await (const _ of pool.imap(tasks.square, slowEndless(), { timeout: 300 }));
          })(),
        );
        expect(err, method).toBeInstanceOf(TimeoutError);
        // Before session 57's fix: 8.6 s (imap) and 9.9 s (map) on a thread pool.
        expect(Date.now() - started, method).toBeLessThan(3000);
      }
    },
  );

  it(
    'one AbortSignal given to several calls rejects each; an abort after a call settled changes nothing',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      const ac = new AbortController();
      const calls = [
        pool.apply(tasks.sleep, [5000], { signal: ac.signal }),
        pool.map(tasks.sleep, [5000, 5000], { signal: ac.signal }),
        pool.applyAsync(tasks.sleep, [5000], { signal: ac.signal }).get(),
      ];
      await sleep(100);
      const reason = new Error('all');
      ac.abort(reason);
      for (const settled of await Promise.allSettled(calls))
        expect(settled).toMatchObject({ status: 'rejected', reason: { name: 'AbortError', cause: reason } });
      const late = new AbortController();
      expect(await pool.apply(tasks.square, [3], { signal: late.signal })).toBe(9);
      late.abort();
      expect(await pool.apply(tasks.square, [4])).toBe(16);
    },
  );

  it(
    '"a task already running is stopped by recycling its worker": after a timeout or an abort it does no more',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const file = scratchFile();
      expect((await rejection(pool.apply(inits.markLater, [file, 700], { timeout: 100 }))).name).toBe(
        'TimeoutError',
      );
      const ac = new AbortController();
      const aborted = pool.apply(inits.markLater, [file, 700], { signal: ac.signal });
      await sleep(150);
      ac.abort();
      expect((await rejection(aborted)).name).toBe('AbortError');
      await sleep(1500);
      expect(existsSync(file)).toBe(false);
      expect(await pool.apply(tasks.square, [5])).toBe(25);
    },
  );

  it(
    '"this library\'s classes (from any of its packages) come back as the same class": in cause and in errors too',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const withCause = await rejection(pool.apply(errs.causeIsOurs, []));
      expect(withCause.cause).toBeInstanceOf(QueueEmptyError);
      const many = (await rejection(pool.apply(errs.aggregateOfOurs, []))) as AggregateError;
      expect(many).toBeInstanceOf(AggregateError);
      expect(many.errors[0]).toBeInstanceOf(ValidationError);
      expect(many.errors[1]).toBeInstanceOf(TypeError);
      const lookalike = await rejection(pool.apply(errs.causeLookalike, []));
      expect(lookalike.cause).not.toBeInstanceOf(mp.ProcessError);
      expect((lookalike.cause as Error).name).toBe('QueueEmptyError');
      const chain = await rejection(pool.apply(errs.causeChain, []));
      expect([chain, chain.cause, (chain.cause as Error).cause]).toEqual([
        expect.any(TypeError),
        expect.any(RangeError),
        expect.any(SyntaxError),
      ]);
      const dom = (await rejection(pool.apply(tasks.throwDom, []))) as DOMException;
      expect([dom instanceof DOMException, dom.name, dom.message]).toEqual([true, 'NotFoundError', 'gone']);
      const own = (await rejection(pool.apply(tasks.throwWithFields, []))) as Error & Record<string, unknown>;
      expect(own).not.toBeInstanceOf(mp.ProcessError);
      expect([own.name, own.message, own.code, own.detail, own.cause]).toEqual([
        'MyError',
        'with fields',
        'E_MINE',
        { a: 1 },
        { why: 'because', n: 3 },
      ]);
      expect(own.stack).toContain('contract-57-tasks');
    },
  );

  it(
    '"WorkerCrashedError (exitCode, signal)": process.exit(n) and an uncaught throw in a timer; the next call runs',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const exited = (await rejection(pool.apply(tasks.exitWith, [3]))) as WorkerCrashedError;
      expect([exited, exited.exitCode, exited.signal]).toEqual([expect.any(WorkerCrashedError), 3, null]);
      const thrown = (await rejection(pool.apply(tasks.throwLater, []))) as WorkerCrashedError;
      expect([thrown, thrown.exitCode, thrown.signal]).toEqual([expect.any(WorkerCrashedError), 1, null]);
      expect(await pool.apply(tasks.square, [5])).toBe(25);
    },
  );

  it(
    '"A result the worker cannot send rejects that call with SerializationError (path result…), and the worker lives on"',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      const before = await pool.apply(tasks.workerId, []);
      const err = (await rejection(pool.apply(tasks.returnFunction, []))) as SerializationError;
      expect([err, err.path]).toEqual([expect.any(SerializationError), 'result.fn']);
      const inMap = (await rejection(pool.map(tasks.returnFunction, [1, 2]))) as SerializationError;
      expect(inMap.path).toMatch(/^result/);
      expect(await pool.apply(tasks.workerId, [])).toBe(before);
    },
  );

  it(
    '"An input iterable that throws fails the call with that very error": every method, sync and async input',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      for (const method of ['map', 'starmap', 'mapAsync', 'starmapAsync', 'imap', 'imapUnordered'] as const) {
        for (const isAsync of [false, true]) {
          const boom = new RangeError('input broke');
          function* gen() {
            yield* [
              [1, 2],
              [3, 4],
            ];
            throw boom;
          }
          async function* agen() {
            yield* gen();
          }
          const input = isAsync ? agen() : gen();
          const task = method.startsWith('starmap') ? tasks.add : tasks.echo;
          const got: unknown[] = [];
          const call = pool as unknown as Record<string, (t: unknown, i: unknown) => unknown>;
          const err = await rejection(
            (async () => {
              if (method.startsWith('imap'))
                for await (const v of call[method]!(task, input) as AsyncIterable<unknown>) got.push(v);
              else if (method.endsWith('Async'))
                await (call[method]!(task, input) as { get(): Promise<unknown> }).get();
              else await call[method]!(task, input);
            })(),
          );
          expect(err, `${method} ${isAsync}`).toBe(boom);
          if (method === 'imap')
            expect(got).toEqual([
              [1, 2],
              [3, 4],
            ]);
        }
      }
    },
  );

  it(
    '"at most inflight chunks ... are read ahead of the consumer", with chunksize given; leaving the loop stops reading',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      for (const method of ['imap', 'imapUnordered'] as const) {
        let read = 0;
        let returned = false;
        function* endless() {
          try {
            for (let i = 0; ; i++) {
              read++;
              yield i;
            }
          } finally {
            returned = true;
          }
        }
        const seen: number[] = [];
        for await (const _ of pool[method](tasks.square, endless(), { inflight: 3, chunksize: 2 })) {
          await sleep(150); // the pool has every chance to read ahead
          seen.push(read);
          if (seen.length === 4) break;
        }
        // Consumed k items of chunks of 2: at most 3 chunks beyond the chunk being consumed.
        for (const [k, r] of seen.entries())
          expect(r, `${method} after ${k + 1}`).toBeLessThanOrEqual(2 * (Math.floor(k / 2) + 1) + 6);
        const after = read;
        await sleep(300);
        expect([read, returned]).toEqual([after, true]);
      }
    },
  );

  it(
    '"inflight ... default 2 * processes": with chunksize 1, reading stays that many items ahead of the consumer',
    T,
    async () => {
      const pool = newPool({ processes: 2, context });
      await pool.map(tasks.square, [1, 2], { chunksize: 1 });
      for (const method of ['imap', 'imapUnordered'] as const) {
        let read = 0;
        function* endless() {
          for (let i = 0; ; i++) {
            read++;
            yield i;
          }
        }
        const seen: number[] = [];
        for await (const _ of pool[method](tasks.square, endless(), { chunksize: 1 })) {
          await sleep(150);
          seen.push(read);
          if (seen.length === 3) break;
        }
        for (const [k, r] of seen.entries())
          expect(r, `${method} after ${k + 1}`).toBeLessThanOrEqual(k + 1 + 2 * 2);
      }
    },
  );

  it(
    '"initializer ... If it throws ... reject with the initializer\'s error (same name, message and stack, cause kept)": map too',
    T,
    async () => {
      const pool = newPool({ processes: 1, context, initializer: inits.failInit });
      const err = await rejection(pool.apply(tasks.square, [2]));
      expect([err, err.message, err.cause]).toEqual([expect.any(TypeError), 'init failed', { step: 2 }]);
      expect(err.stack).toContain('contract-57-tasks');
      const inMap = await rejection(pool.map(tasks.square, [1, 2, 3]));
      expect([inMap, inMap.message]).toEqual([expect.any(TypeError), 'init failed']);
      pool.close();
      expect(await within(pool.join(), 20_000)).toBeUndefined();
    },
  );

  it(
    '"initializer(...initargs) runs once in each worker before its first task", replaced workers too (maxTasksPerChild)',
    T,
    async () => {
      const pool = newPool({
        processes: 2,
        context,
        initializer: inits.setMark,
        initargs: ['m'],
        maxTasksPerChild: 1,
      });
      expect(await pool.map(inits.readMark, [1, 2, 3, 4, 5], { chunksize: 1 })).toEqual([
        'm',
        'm',
        'm',
        'm',
        'm',
      ]);
    },
  );

  it(
    '"maxTasksPerChild is a hard cap": with imap reading ahead (inflight > processes) and a burst of applyAsync',
    T,
    async () => {
      const pool = newPool({ processes: 2, context, maxTasksPerChild: 2 });
      const most = (marks: unknown[]) => Math.max(...marks.map((m) => Number(String(m).split('#')[1])));
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, i) => pool.applyAsync(counts.served, [i % 3 ? 0 : 5]).get()),
      );
      const ordered: unknown[] = [];
      for await (const v of pool.imap(counts.served, [0, 1, 2, 3, 0, 1, 2, 3, 0, 1], {
        chunksize: 1,
        inflight: 6,
      }))
        ordered.push(v);
      const unordered: unknown[] = [];
      for await (const v of pool.imapUnordered(counts.served, Array(10).fill(0), {
        chunksize: 1,
        inflight: 6,
      }))
        unordered.push(v);
      expect([most(burst), most(ordered), most(unordered)]).toEqual([2, 2, 2]);
    },
  );

  it(
    '"Pools and processes created inside a running task still work": also at the top level of a module the task imports',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      expect(await pool.apply(late.importLatePool, [])).toEqual({ squares: [1, 4, 9], exitCode: 0 });
    },
  );

  it(
    '"Pools and processes created inside a running task still work (nesting)", of the other context too',
    T,
    async () => {
      const pool = newPool({ processes: 1, context });
      for (const inner of ['thread', 'process'] as const)
        expect(await pool.apply(tasks.nestedPool, [inner, [1, 2, 3]])).toEqual([1, 4, 9]);
    },
  );
});

describe('IPC in one thread', () => {
  it('"block: false where Python has a block argument: Queue.get/put, Lock.acquire": no wait, whatever timeout', async () => {
    const full = new mp.Queue({ maxsize: 1 });
    full.putNowait(1);
    expect(await rejection(full.put(2, { block: false }))).toBeInstanceOf(QueueFullError);
    expect(await rejection(full.put(2, { block: false, timeout: 60_000 }))).toBeInstanceOf(QueueFullError);
    const empty = new mp.Queue();
    expect(await rejection(empty.get({ block: false }))).toBeInstanceOf(QueueEmptyError);
    expect(await rejection(empty.get({ block: false, timeout: 60_000 }))).toBeInstanceOf(QueueEmptyError);
    for (const Kind of [mp.Lock, mp.RLock, mp.Semaphore, mp.BoundedSemaphore]) {
      const held = new Kind();
      held.acquireSync();
      // Held by this thread: an RLock is re-entered, the others are refused at once.
      const expected = Kind === mp.RLock;
      expect(await within(held.acquire({ block: false, timeout: 60_000 }), 5000), Kind.name).toBe(expected);
      expect(held.acquireSync({ block: false }), Kind.name).toBe(expected);
    }
  });

  it('"any other argument throws ValidationError": unknown keys next to timeout, on every wait that takes ms', async () => {
    const c = new mp.Condition();
    await c.acquire();
    const waits: Record<string, (t: unknown) => unknown> = {
      'Lock.acquire': (t) => new mp.Lock().acquire(t as never),
      'Semaphore.acquireSync': (t) => new mp.Semaphore().acquireSync(t as never),
      'Event.wait': (t) => new mp.Event().wait(t as never),
      'Event.waitSync': (t) => new mp.Event().waitSync(t as never),
      'Condition.wait': (t) => c.wait(t as never),
      'Condition.waitFor': (t) => c.waitFor(() => false, t as never),
      'Barrier.wait': (t) => new mp.Barrier(2).wait(t as never),
      'Barrier.waitSync': (t) => new mp.Barrier(2).waitSync(t as never),
      'Queue.get': (t) => new mp.Queue().get(t as never),
      'JoinableQueue.get': (t) => new mp.JoinableQueue().get(t as never),
      'Connection.poll': (t) => mp.Pipe()[0].poll(t as never),
      wait: (t) => mp.wait([mp.Pipe()[0]], t as never),
    };
    for (const [name, call] of Object.entries(waits)) {
      for (const t of [{ timeout: 5, extra: 1 }, [5], '5'])
        expect(await outcome(() => call(t)), `${name}(${JSON.stringify(t)})`).toMatch(
          /^(!|throws )ValidationError$/,
        );
    }
    // Where Python has no block argument, block is not taken either.
    for (const name of ['Event.wait', 'Condition.wait', 'Barrier.wait', 'Connection.poll', 'wait'])
      expect(await outcome(() => waits[name]!({ block: false })), name).toMatch(
        /^(!|throws )ValidationError$/,
      );
    c.release();
  });

  it('"Using a connection or queue after this side closed it throws ClosedError": every method of every kind', async () => {
    const queues = {
      Queue: new mp.Queue(),
      SimpleQueue: new mp.SimpleQueue(),
      JoinableQueue: new mp.JoinableQueue(),
    };
    for (const [kind, q] of Object.entries(queues)) {
      q.close();
      const methods = ['put', 'putNowait', 'get', 'getNowait', 'qsize', 'empty', 'full', 'taskDone', 'join'];
      const use = q as unknown as Record<string, ((v?: unknown) => unknown) | undefined>;
      for (const m of methods) {
        const f = use[m];
        if (typeof f !== 'function') continue;
        expect(await outcome(() => (m.startsWith('put') ? f.call(q, 1) : f.call(q))), `${kind}.${m}`).toMatch(
          /^(!|throws )ClosedError$/,
        );
      }
      expect(() => q.close()).not.toThrow(); // closing twice is allowed, as in Python
    }
    const [a] = mp.Pipe();
    a.close();
    const uses: Record<string, () => unknown> = {
      send: () => a.send(1),
      sendBytes: () => a.sendBytes(new Uint8Array(1)),
      recv: () => a.recv(),
      recvBytes: () => a.recvBytes(),
      recvBytesInto: () => a.recvBytesInto(new Uint8Array(1)),
      poll: () => a.poll(),
      iterate: () => a[Symbol.asyncIterator]().next(),
    };
    for (const [m, use] of Object.entries(uses))
      expect(await outcome(use), m).toMatch(/^(!|throws )ClosedError$/);
  });

  it('"A queue, pipe or connection with a schema validates every received value ... the next value is still delivered": every kind', async () => {
    const [a, b] = mp.Pipe({ schema: z.object({ n: z.number() }) });
    a.send({ n: 'x' } as never);
    a.send({ n: 2 });
    const bad = await rejection(b.recv());
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.message).toMatch(/\bn\b/);
    expect(await b.recv()).toEqual({ n: 2 });
    const q = new mp.Queue({ schema: z.number() });
    q.putNowait('x' as never);
    q.putNowait(3);
    await sleep(20);
    expect(() => q.getNowait()).toThrow(ValidationError);
    expect(q.getNowait()).toBe(3);
    for (const other of [
      new mp.SimpleQueue({ schema: z.number() }),
      new mp.JoinableQueue({ schema: z.number() }),
    ]) {
      await other.put('x' as never);
      await other.put(3);
      expect(await rejection(other.get())).toBeInstanceOf(ValidationError);
      expect(await other.get()).toBe(3);
    }
  });

  it('"a value that cannot be sent ... throws SerializationError at the sender naming the path": deep, in a Map, at the top', async () => {
    const paths = async (send: () => unknown) => {
      try {
        await send();
      } catch (err) {
        expect(err).toBeInstanceOf(SerializationError);
        return (err as SerializationError).path;
      }
      return 'sent';
    };
    expect(await paths(() => new mp.Queue().putNowait({ a: [1, { onDone() {} }] }))).toBe(
      'value.a[1].onDone',
    );
    expect(await paths(() => new mp.Queue().put({ a: [1, { onDone() {} }] }))).toBe('value.a[1].onDone');
    expect(await paths(() => new mp.SimpleQueue().put({ onDone: Symbol('x') }))).toBe('value.onDone');
    expect(await paths(() => new mp.JoinableQueue().putNowait({ onDone: () => 1 }))).toBe('value.onDone');
    expect(await paths(() => mp.Pipe()[0].send(Symbol('x')))).toBe('value');
    expect(await paths(() => mp.Pipe()[0].send(new Map([['k', () => 1]])))).toMatch(/^value.*k/);
  });

  it('"sendBytes(buf, offset?, size?) ... recvBytesInto(buf, offset?) -> byte count": offsets are in bytes, as in Python', async () => {
    const [a, b] = mp.Pipe();
    a.sendBytes(new Float64Array([1, 2, 3]), 8, 8);
    const got = await b.recvBytes();
    expect(got.byteLength).toBe(8);
    expect(new Float64Array(got.slice().buffer)[0]).toBe(2);
    a.sendBytes(new Float64Array([7]));
    const into = new Float64Array(3);
    expect(await b.recvBytesInto(into, 8)).toBe(8);
    expect([...into]).toEqual([0, 7, 0]);
    a.sendBytes(new Uint8Array([1]));
    expect(await rejection(b.recvBytesInto(new Uint8Array(3), 5))).toBeInstanceOf(ValidationError);
    for (const [offset, size] of [
      [5, undefined],
      [1, 4],
      [-1, undefined],
      [1.5, undefined],
    ] as const)
      expect(() => a.sendBytes(new Uint8Array(4), offset, size)).toThrow(ValidationError);
    expect(() => a.sendBytes([1, 2] as never)).toThrow(ValidationError);
  });
});

describe.each(CONTEXTS)("IPC across a '%s' worker", (context) => {
  it(
    '"also nested inside other arguments": queues and connections inside a Map, a Set and nested arrays',
    T,
    async () => {
      const q = new mp.Queue<string>();
      const [a, b] = mp.Pipe();
      const holder = () => ({ map: new Map([['q', q]]), set: new Set([b]), deep: [[{ q }]] });
      const pool = newPool({ processes: 1, context });
      expect(await pool.apply(more.useNested, [holder()])).toBe('ok');
      const p = new mp.Process({ target: more.useNested, args: [holder()], context });
      p.start();
      await p.join(20_000);
      expect(p.exitCode).toBe(0);
      const got = [await q.get(5000), await q.get(5000), await q.get(5000), await q.get(5000)];
      expect(got.sort()).toEqual(['from-deep', 'from-deep', 'from-map', 'from-map']);
      expect([await a.recv(), await a.recv()]).toEqual(['from-set', 'from-set']);
    },
  );

  it(
    '"to several workers at once": each holder\'s values in its order, then EOFError once every holder ended',
    T,
    async () => {
      const [a, b] = mp.Pipe();
      const ps = [1, 2, 3].map(
        (i) =>
          new mp.Process({ target: tasks.sendAll, args: [b, [i * 10, i * 10 + 1, i * 10 + 2]], context }),
      );
      for (const p of ps) p.start();
      b.close();
      const got = await drain(() => a.recv());
      expect(got.at(-1)).toBe('EOFError');
      for (const i of [1, 2, 3])
        expect(got.filter((v) => Math.floor((v as number) / 10) === i)).toEqual([
          i * 10,
          i * 10 + 1,
          i * 10 + 2,
        ]);
      await Promise.all(ps.map((p) => p.join()));
    },
  );

  it(
    'a connection given to a Process that never started, then closed here, gives EOFError; starting it then is ClosedError',
    T,
    async () => {
      const [a, b] = mp.Pipe();
      const p = new mp.Process({ target: tasks.sendAll, args: [b, [1]], context });
      b.close();
      expect(
        await within(
          a.recv().catch((e: Error) => e),
          5000,
        ),
      ).toBeInstanceOf(EOFError);
      expect(() => p.start()).toThrow(ClosedError);
    },
  );

  it(
    '"A value is never lost silently": put then close() at once here still reaches a worker\'s get()',
    T,
    async () => {
      const q = new mp.Queue<unknown>();
      const pool = newPool({ processes: 1, context });
      const got = pool.apply(tasks.getOne, [q, 20_000]);
      q.putNowait({ big: 'x'.repeat(200_000) });
      q.close();
      expect(((await got) as { value: { big: string } }).value.big.length).toBe(200_000);
      const [a, b] = mp.Pipe();
      const p = new mp.Process({ target: tasks.recvOne, args: [b], context });
      p.start();
      b.close();
      a.send('hello');
      a.close();
      await p.join(20_000);
      expect(p.exitCode).toBe(0);
    },
  );

  it(
    '"Values are sent with the structured-clone algorithm": shared references, cycles, -0, holes, views of one buffer',
    T,
    async () => {
      const sample = () => {
        const shared = { s: 1 };
        const circ: Record<string, unknown> = { name: 'c' };
        circ.self = circ;
        const buf = new ArrayBuffer(8);
        const sparse = [1, 2, 3];
        delete sparse[1]; // a hole is what is checked
        return {
          shared: [shared, shared],
          circ,
          negZero: -0,
          sparse,
          date: new Date(12345),
          re: /ab+c/gi,
          big: 2n ** 70n,
          views: [new Uint8Array(buf, 0, 4), new Uint16Array(buf, 4, 2)],
          map: new Map([[{ k: 1 }, new Set([1, 2])]]),
          err: new RangeError('r', { cause: new TypeError('t') }),
        };
      };
      const faithful = (got: ReturnType<typeof sample>) => ({
        shared: got.shared[0] === got.shared[1],
        circ: got.circ.self === got.circ,
        negZero: Object.is(got.negZero, -0),
        sparse: got.sparse.length === 3 && !(1 in got.sparse),
        date: got.date instanceof Date && +got.date === 12345,
        re: got.re instanceof RegExp && got.re.flags === 'gi',
        big: got.big === 2n ** 70n,
        views: got.views[0]!.buffer === got.views[1]!.buffer && got.views[1] instanceof Uint16Array,
        map: [...got.map.keys()][0]?.k === 1 && [...got.map.values()][0] instanceof Set,
        err: got.err instanceof RangeError && got.err.cause instanceof TypeError,
      });
      const all = Object.fromEntries(Object.keys(faithful(sample())).map((k) => [k, true]));
      const pool = newPool({ processes: 1, context });
      expect(faithful((await pool.apply(tasks.echo, [sample()])) as ReturnType<typeof sample>)).toEqual(all);
      const q = new mp.Queue<unknown>();
      const got = pool.apply(tasks.getOne, [q, 20_000]);
      q.putNowait(sample());
      expect(faithful(((await got) as { value: ReturnType<typeof sample> }).value)).toEqual(all);
      const [a, b] = mp.Pipe();
      const p = new mp.Process({ target: tasks.sendAll, args: [b, [sample()]], context });
      p.start();
      b.close();
      expect(faithful((await a.recv()) as ReturnType<typeof sample>)).toEqual(all);
      await p.join();
    },
  );

  it(
    "a connection whose peer's holder ended is ready for wait() and poll(), as in Python (recv() then gives EOFError)",
    T,
    async () => {
      const [a, b] = mp.Pipe();
      const [idle] = mp.Pipe();
      const p = new mp.Process({ target: tasks.recvOne, args: [b], context });
      p.start();
      b.close();
      const ready = mp.wait([a, idle], 20_000);
      p.kill();
      expect(await ready).toEqual([a]);
      expect(await a.poll()).toBe(true);
      expect(await rejection(a.recv())).toBeInstanceOf(EOFError);
      expect(await mp.wait([idle], 50)).toEqual([]);
    },
  );

  it(
    'a sender killed in the middle of a flood: what arrives is a whole prefix of what it sent, then EOFError (a queue: empty)',
    T,
    async () => {
      for (const kind of ['send', 'sendBytes', 'queue'] as const) {
        const size = 70_000; // over 64 KiB: a value that takes more than one write
        const q = new mp.Queue<{ i: number; pad: string }>();
        const [a, b] = mp.Pipe();
        const target =
          kind === 'queue' ? floods.putForever : kind === 'send' ? floods.sendForever : floods.bytesForever;
        const p = new mp.Process({ target, args: [kind === 'queue' ? q : b, size], context });
        p.start();
        b.close();
        // A queue's first value is taken here: it is sending (a pipe's poll() says so).
        const first = kind === 'queue' ? [await q.get(20_000)] : [];
        if (kind !== 'queue') expect(await a.poll(20_000)).toBe(true);
        await sleep(100);
        p.kill();
        const got = [...first, ...(await drain(() => (kind === 'queue' ? q.get(1000) : a.recv())))];
        expect(got.pop(), kind).toBe(kind === 'queue' ? 'QueueEmptyError' : 'EOFError');
        // What arrived is a prefix of what was sent: whole values, none missing before the last.
        const whole = got.map((v, n) =>
          kind === 'sendBytes'
            ? (v as Uint8Array).byteLength === size && (v as Uint8Array)[size - 1] === n % 256
            : (v as { pad: string }).pad.length === size && (v as { i: number }).i === n,
        );
        expect([got.length > 0, whole.every(Boolean)], kind).toEqual([true, true]);
        await p.join();
      }
    },
  );

  it('"SharedArrayBuffer-backed objects": put on a queue or sent on a pipe, refused at the sender with ContextError', () => {
    const v = new mp.Value('i', 5);
    expect(() => new mp.Queue().putNowait(v)).toThrow(ContextError);
    expect(() => mp.Pipe()[0].send({ v })).toThrow(ContextError);
  });
});

describe.each(CONTEXTS)("Shared memory and a '%s' pool", (context) => {
  it(
    '"Shared objects can be nested anywhere inside arguments": a Map, a Set, nested arrays; refused by a process with the path',
    T,
    async () => {
      const v = new mp.Value('i', 0);
      const pool = newPool({ processes: 1, context });
      const call = pool.apply(more.bumpNested, [
        { map: new Map([['v', v]]), set: new Set([v]), deep: [[{ v }]] },
      ]);
      if (context === 'thread') {
        expect(await call).toBe(3);
        expect(v.value).toBe(3);
      } else {
        const err = await rejection(call);
        expect(err).toBeInstanceOf(ContextError);
        expect(err.message).toContain('args[0].map');
      }
    },
  );

  it(
    'shared memory in initargs: works in threads; a process pool refuses it at once with ContextError naming initargs[0]',
    T,
    async () => {
      const make = () =>
        newPool({ processes: 1, context, initializer: more.initWith, initargs: [new mp.Lock()] });
      if (context === 'thread') expect(await make().apply(tasks.square, [3])).toBe(9);
      else
        expect(make).toThrow(
          expect.objectContaining({ name: 'ContextError', message: expect.stringContaining('initargs[0]') }),
        );
    },
  );
});

describe('Shared memory: bad values', () => {
  it('"Bad input gets a named error": sizes, counts and parties out of range throw ValidationError', () => {
    for (const make of [
      () => new mp.SharedArray('d', -1),
      () => new mp.SharedArray('d', 1.5),
      () => new mp.SharedArray('d', 3).get(1.5),
      () => new mp.SharedArray('d', 3).get('1' as never),
      () => new mp.SharedArray('i', [1, 'a'] as never),
      () => new mp.RawArray('q', [1, 2] as never),
      () => new mp.Semaphore(-1),
      () => new mp.Semaphore(1.5),
      () => new mp.BoundedSemaphore(-1),
      () => new mp.Barrier(0),
      () => new mp.Barrier(2, { timeout: 'x' as never }),
      () => new mp.Barrier(2, { action: 5 as never }),
      () => new mp.Condition(5 as never),
    ])
      expect(make).toThrow(ValidationError);
    expect(new mp.SharedArray('d', 0).length).toBe(0);
    expect([new mp.Value('i').value, new mp.Value('q').value]).toEqual([0, 0n]);
  });

  it('a Barrier of one party passes at once with index 0; its timeout option breaks a lone waiter', async () => {
    expect(await new mp.Barrier(1).wait()).toBe(0);
    expect(new mp.Barrier(1).waitSync()).toBe(0);
    const bar = new mp.Barrier(2, { timeout: 20 });
    expect((await rejection(bar.wait())).name).toBe('BrokenBarrierError');
    expect(bar.broken).toBe(true);
  });
});
