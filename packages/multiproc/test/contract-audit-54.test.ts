// Contract audit, session 54: the sentences of "Timeouts and waiting", "Process", "Pool", "IPC" and
// "Errors" checked at the edges a test author would pick, against real threads and child
// processes, in both contexts (full tier; see vitest.config.ts). Each `describe` names its
// section; each case quotes the words it checks. What the audit found broken has its own CI-tier
// test (stuck-waits.test.ts).
import { readFileSync } from 'node:fs';
import mp, {
  ClosedError,
  ContextError,
  EOFError,
  type Pool,
  PoolClosedError,
  ProcessError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/contract-audit-54-tasks.mjs';
import { type Context, lines, scratchFiles, sleep, within } from './report-helpers.ts';

const CONTEXTS = matrix(import.meta.url) as readonly Context[];
const scratchFile = scratchFiles('audit-54-');
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

/** How a call settled: its value (`=v`), or the error's name (`!Name`); `pending` after `ms`. */
async function outcome(f: () => unknown, ms = 300): Promise<string> {
  let p: unknown;
  try {
    p = f();
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
  if (!(p instanceof Promise)) return `=${String(p)}`;
  const settled = p.then(
    (v: unknown) => `=${String(v)}`,
    (err: Error) => `!${err.name}`,
  );
  return within(settled, ms).then((r) => (r === 'still waiting' ? 'pending' : r));
}

/** Every value `get` gives until it fails; then the failure's name. */
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

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.each(CONTEXTS)("IPC delivery, context '%s'", (context) => {
  const run = async (target: ConstructorParameters<typeof mp.Process>[0]['target'], args: unknown[]) => {
    const p = new mp.Process({ target, args, context });
    p.start();
    return p;
  };

  it('"What a worker sends or puts before it ends (returns, throws, or calls process.exit()) is delivered"', {
    timeout: 60_000,
  }, async () => {
    for (const how of ['return', 'throw', 'exit'] as const) {
      for (const kind of ['putNowait', 'put'] as const) {
        const q = new mp.Queue<number>();
        const p = await run(tasks.putThenEnd, [q, 200, kind, how]);
        await p.join(20_000);
        expect(await drain(() => q.get(1000)), `${kind} ${how}`).toEqual([...range(200), 'QueueEmptyError']);
      }
      for (const Kind of [mp.SimpleQueue, mp.JoinableQueue]) {
        const q = new Kind<number>();
        const p = await run(tasks.putThenEnd, [q, 50, 'put', how]);
        await p.join(20_000);
        const got = [];
        for (let i = 0; i < 50; i++) got.push(await q.get());
        expect(got, `${Kind.name} ${how}`).toEqual(range(50));
      }
      for (const bytes of [false, true]) {
        const [a, b] = mp.Pipe();
        const p = await run(tasks.sendThenEnd, [b, 60, bytes, how]);
        b.close();
        const got = await drain(async () => {
          const v = bytes ? await a.recvBytes() : ((await a.recv()) as { i: number });
          return bytes ? (v as Uint8Array)[0] : (v as { i: number }).i;
        });
        expect(got, `pipe bytes=${bytes} ${how}`).toEqual([...range(60), 'EOFError']);
        await p.join(20_000);
      }
    }
  });

  it('a queue or pipe made in a worker that then ends still delivers what it put, then EOFError', {
    timeout: 60_000,
  }, async () => {
    for (const how of ['return', 'throw', 'exit'] as const) {
      for (const kind of ['queue', 'joinable', 'pipe'] as const) {
        const [a, b] = mp.Pipe();
        const p = await run(tasks.makeSendThenEnd, [b, kind, 5, how]);
        const made = (await a.recv()) as {
          get?: (ms: number) => Promise<unknown>;
          recv?: () => Promise<unknown>;
        };
        await p.join(20_000);
        const get = kind === 'pipe' ? () => made.recv!() : () => made.get!(5000);
        expect(await drain(get), `${kind} ${how}`).toEqual([...range(5), 'EOFError']);
      }
    }
  });

  it('a grandchild that puts and calls process.exit() has every item delivered', {
    timeout: 60_000,
  }, async () => {
    for (const inner of ['thread', 'process'] as const) {
      const q = new mp.Queue<number>();
      const p = await run(tasks.nestedPutThenExit, [q, inner, 30]);
      await p.join(30_000);
      expect(await drain(() => q.get(1000)), inner).toEqual([...range(30), 'QueueEmptyError']);
    }
  });

  it('"each sender\'s values arrive in the order it sent them", large and small, put() and putNowait() mixed', {
    timeout: 30_000,
  }, async () => {
    const pool = new mp.Pool({ processes: 2, context });
    pools.push(pool);
    const q = new mp.Queue<{ tag: string; i: number }>();
    await Promise.all([pool.apply(tasks.putTagged, [q, 'a', 40]), pool.apply(tasks.putTagged, [q, 'b', 40])]);
    const got = (await drain(() => q.get(1000))).slice(0, -1) as { tag: string; i: number }[];
    for (const tag of ['a', 'b']) expect(got.filter((v) => v.tag === tag).map((v) => v.i)).toEqual(range(40));
    const main = new mp.Queue<number>();
    for (let i = 0; i < 40; i++) i % 2 ? main.putNowait(i) : void main.put(i);
    expect(await drain(() => main.get(300))).toEqual([...range(40), 'QueueEmptyError']);
  });

  it('"a connection ... whose holder\'s thread or process has ended gives EOFError", only once every holder ended', {
    timeout: 30_000,
  }, async () => {
    const [a, b] = mp.Pipe();
    const short = await run(tasks.hold, [b, 100]);
    const long = await run(tasks.hold, [{ nested: [b] }, 1500]);
    b.close();
    await short.join(20_000);
    expect(await outcome(() => a.recv(), 300)).toBe('pending');
    await long.join(20_000);
    expect(await outcome(() => a.recv(), 10_000)).toBe('!EOFError');
  });

  it('a copy given to a pool task that returned does not hold the other end open', {
    timeout: 30_000,
  }, async () => {
    const pool = new mp.Pool({ processes: 1, context });
    pools.push(pool);
    const [a, b] = mp.Pipe();
    await pool.apply(tasks.hold, [b, 10]);
    b.close();
    expect(await outcome(() => a.recv(), 10_000)).toBe('!EOFError');
  });

  it('in a worker: the wrong end of a one-way pipe is ProcessError; an unsendable value names its path', {
    timeout: 30_000,
  }, async () => {
    const pool = new mp.Pool({ processes: 1, context });
    pools.push(pool);
    const [receiveEnd, sendEnd] = mp.Pipe({ duplex: false });
    expect(await pool.apply(tasks.misuse, [receiveEnd, sendEnd, new mp.Queue()])).toEqual([
      'ProcessError MP_PROCESS',
      'ProcessError MP_PROCESS',
      'SerializationError MP_SERIALIZATION value.onDone',
      'SerializationError MP_SERIALIZATION value.a[1].s',
    ]);
  });
});

describe.each(CONTEXTS)("Pool failures, context '%s'", (context) => {
  const makePool = (options: Omit<NonNullable<ConstructorParameters<typeof mp.Pool>[0]>, 'context'>) => {
    const pool = new mp.Pool({ ...options, context });
    pools.push(pool);
    return pool;
  };

  it('"Every other call completes, exactly once": calls around a fatal one each run once', {
    timeout: 60_000,
  }, async () => {
    const file = scratchFile();
    const pool = makePool({ processes: 1 });
    const calls = [
      ...range(5).map((i) => pool.apply(tasks.record, [file, `a${i}`])),
      pool.apply(tasks.exitNow, [4]),
      ...range(5).map((i) => pool.apply(tasks.record, [file, `b${i}`])),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as Error).name))).toEqual([
      ...Array(5).fill('ok'),
      'WorkerCrashedError',
      ...Array(5).fill('ok'),
    ]);
    expect(lines(file).sort()).toEqual([...range(5).map((i) => `a${i}`), ...range(5).map((i) => `b${i}`)]);
  });

  it('"other calls are untouched": maps beside a map whose chunk crashed run each item once', {
    timeout: 60_000,
  }, async () => {
    const file = scratchFile();
    const pool = makePool({ processes: 2 });
    const items = (p: string) => range(12).map((i) => [file, `${p}${i}`] as [string, string]);
    const [m1, bad, m2] = await Promise.allSettled([
      pool.starmap(tasks.record, items('m'), { chunksize: 2 }),
      pool.map(tasks.exitNow, [5], { chunksize: 1 }),
      pool.starmap(tasks.record, items('n'), { chunksize: 3 }),
    ]);
    expect([m1.status, bad.status, m2.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(WorkerCrashedError);
    expect(lines(file).length).toBe(24);
    expect(new Set(lines(file)).size).toBe(24);
  });

  it('"maxTasksPerChild is a hard cap": a failed task and a chunk each count as one', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, maxTasksPerChild: 2 });
    const marks: string[] = [];
    for (const fail of [true, false, true, false]) {
      marks.push(await pool.apply(tasks.served, [fail]).catch((e: Error) => e.message));
    }
    const worker = (m: string) => m.split(':')[0];
    expect(marks.map((m) => m.split(':')[1])).toEqual(['1', '2', '1', '2']);
    expect(worker(marks[0]!)).toBe(worker(marks[1]!));
    expect(worker(marks[1]!)).not.toBe(worker(marks[2]!));
    const chunked = makePool({ processes: 1, maxTasksPerChild: 3 });
    const got = await chunked.map(
      tasks.served,
      range(7).map(() => false),
      { chunksize: 2 },
    );
    expect(got.map((m) => m.split(':')[1])).toEqual(['1', '2', '3', '4', '5', '6', '1']);
  });

  it('"initializer ... If it throws": every call rejects with its error, no respawn loop, close/join return', {
    timeout: 60_000,
  }, async () => {
    const file = scratchFile();
    const pool = makePool({
      processes: 2,
      initializer: tasks.initCounted,
      initargs: [file, range(1000).map((i) => i + 1)],
    });
    const settled = await Promise.allSettled(range(4).map((i) => pool.apply(tasks.square, [i])));
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      const err = (s as PromiseRejectedResult).reason as Error;
      expect(err).toBeInstanceOf(TypeError);
      expect(err.cause).toBe('init cause');
    }
    await expect(pool.map(tasks.square, [1, 2], { chunksize: 1 })).rejects.toBeInstanceOf(TypeError);
    const runs = () => Number(readFileSync(file, 'utf8'));
    await sleep(1000);
    const settledRuns = runs();
    await sleep(1500);
    expect(runs()).toBe(settledRuns); // idle: no more starts
    pool.close();
    expect(await within(pool.join(), 20_000)).toBeUndefined();
  });

  it('an initializer that fails once: only the calls sent to that worker fail; later calls run', {
    timeout: 60_000,
  }, async () => {
    const file = scratchFile();
    const pool = makePool({
      processes: 1,
      maxTasksPerChild: 1,
      initializer: tasks.initCounted,
      initargs: [file, [2, 3]],
    });
    const got: unknown[] = [];
    for (const i of range(5)) got.push(await pool.apply(tasks.square, [i]).catch((e: Error) => e.message));
    expect(got).toEqual([0, 'initializer run 2 failed', 'initializer run 3 failed', 9, 16]);
  });

  it('"After terminate(), pending calls reject with PoolClosedError", in every phase; join() and a second terminate() return', {
    timeout: 90_000,
  }, async () => {
    const phases: Record<string, (pool: Pool) => Promise<Promise<unknown>[]>> = {
      starting: async (pool) => [pool.apply(tasks.square, [2])],
      'in the initializer': async (pool) => {
        const calls = [pool.apply(tasks.square, [2])];
        await sleep(300);
        return calls;
      },
      'busy tasks': async (pool) => {
        const calls = [pool.apply(tasks.busy, [5000]), pool.map(tasks.busy, [3000, 3000, 3000])];
        await sleep(500);
        return calls;
      },
      'input still being read': async (pool) => {
        async function* stalled() {
          yield 1;
          await new Promise(() => {});
        }
        return [
          pool.map(tasks.square, stalled()),
          pool.imap(tasks.square, stalled())[Symbol.asyncIterator]().next(),
        ];
      },
      'closed, join() pending': async (pool) => {
        const call = pool.apply(tasks.busy, [3000]);
        pool.close();
        return [call, pool.join().then(() => 'joined')];
      },
      'replacing a crashed worker': async (pool) => {
        const crash = pool.apply(tasks.exitNow, [3]).catch((e: Error) => e.name);
        const calls = [pool.apply(tasks.sleep, [3000]), pool.apply(tasks.sleep, [3000])];
        await crash;
        return calls;
      },
    };
    const seen: Record<string, string[]> = {};
    for (const [phase, setup] of Object.entries(phases)) {
      const pool = makePool({
        processes: 2,
        ...(phase === 'in the initializer' ? { initializer: tasks.slowInit, initargs: [2000] } : {}),
      });
      const calls = await setup(pool);
      for (const c of calls) c.catch(() => {});
      await pool.terminate();
      const outcomes = await Promise.allSettled(calls);
      seen[phase] = outcomes.map((o) =>
        o.status === 'fulfilled' ? String(o.value) : (o.reason as Error).name,
      );
      expect(await within(pool.join(), 5000), phase).toBeUndefined();
      expect(await within(pool.terminate(), 5000), phase).toBeUndefined();
    }
    expect(seen).toEqual({
      starting: ['PoolClosedError'],
      'in the initializer': ['PoolClosedError'],
      'busy tasks': ['PoolClosedError', 'PoolClosedError'],
      'input still being read': ['PoolClosedError', 'PoolClosedError'],
      'closed, join() pending': ['PoolClosedError', 'joined'],
      'replacing a crashed worker': ['PoolClosedError', 'PoolClosedError'],
    });
  });

  it('waits of three kinds that nothing can end, in a task, all reject: the call does not hang', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool({ processes: 1 });
    expect(await pool.apply(tasks.stuckWaits, [])).toEqual(['EOFError', 'LockError', 'LockError']);
  });
});

describe("Pool failures, 'process' context only", () => {
  it('a worker killed by SIGKILL mid-task: WorkerCrashedError with signal SIGKILL; the calls around it complete', {
    timeout: 60_000,
  }, async () => {
    const pool = new mp.Pool({ processes: 1, context: 'process' });
    pools.push(pool);
    const settled = await Promise.allSettled([
      pool.apply(tasks.square, [2]),
      pool.apply(tasks.killSelf, []),
      pool.apply(tasks.square, [3]),
    ]);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 4 });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { exitCode: null, signal: 'SIGKILL' } });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 9 });
  });
});

describe.each(CONTEXTS)("Timeouts and Process edges, context '%s'", (context) => {
  it('"either a number of milliseconds or an options object { timeout }" on every waiting method', {
    timeout: 60_000,
  }, async () => {
    const p = new mp.Process({ target: tasks.sleep, args: [30_000], context });
    p.start();
    const pool = new mp.Pool({ processes: 1, context });
    pools.push(pool);
    const result = pool.applyAsync(tasks.sleep, [30_000]);
    const held = () => {
      const lock = new mp.Lock();
      lock.acquireSync();
      return lock;
    };
    // A reading end whose other end is kept (in `kept`): a collected other end would close and make
    // the reading end ready (EOF), as in Python, which a wait of 200 ms at load can see.
    const kept: unknown[] = [];
    const quiet = () => {
      const [a, b] = mp.Pipe();
      kept.push(b);
      return a;
    };
    const full = () => {
      const q = new mp.Queue({ maxsize: 1 });
      q.putNowait(0);
      return q;
    };
    const waits: Record<string, [(t: unknown) => unknown, string]> = {
      'Process.join': [(t) => p.join(t as number), '=undefined'],
      'AsyncResult.get': [(t) => result.get(t as number), '!TimeoutError'],
      'AsyncResult.wait': [(t) => result.wait(t as number), '=false'],
      'Queue.get': [(t) => new mp.Queue().get(t as number), '!QueueEmptyError'],
      'Queue.put': [(t) => full().put(1, t as number), '!QueueFullError'],
      'Connection.poll': [(t) => quiet().poll(t as number), '=false'],
      wait: [(t) => mp.wait([quiet()], t as number).then((r) => r.length), '=0'],
      'Lock.acquire': [(t) => held().acquire(t as number), '=false'],
      'Event.wait': [(t) => new mp.Event().wait(t as number), '=false'],
      'Condition.wait': [
        async (t) => {
          const c = new mp.Condition();
          await c.acquire();
          return c.wait(t as number);
        },
        '=false',
      ],
      'Barrier.wait': [(t) => new mp.Barrier(2).wait(t as number), '!BrokenBarrierError'],
      'Pool.apply { timeout }': [
        (t) => pool.apply(tasks.sleep, [30_000], { timeout: t as number }),
        '!TimeoutError',
      ],
    };
    for (const [name, [call, timedOut]] of Object.entries(waits)) {
      const isPool = name.startsWith('Pool');
      for (const t of [0, -1, -Infinity, 1.5, ...(isPool ? [] : [{ timeout: 0 }, { timeout: -5 }])])
        expect(await outcome(() => call(t), 5000), `${name}(${JSON.stringify(t)})`).toBe(timedOut);
      for (const t of [Infinity, 2 ** 31, ...(isPool ? [] : [{ timeout: Infinity }])])
        expect(await outcome(() => call(t), 200), `${name}(${String(t)})`).toBe('pending');
      for (const t of [
        Number.NaN,
        '10',
        10n,
        true,
        ...(isPool ? [] : [{ timeout: '5' }, { timeout: Number.NaN }]),
      ]) {
        const got = await outcome(() => call(t), 5000);
        expect(got, `${name}(${String(t)})`).toMatch(/^(!|throws )ValidationError$/);
      }
    }
    await p.terminate();
    kept.length = 0;
  });

  it('Process: join before start and a second start are ProcessError; kill/terminate at once give -9/-15', {
    timeout: 60_000,
  }, async () => {
    const p = new mp.Process({ target: tasks.sleep, args: [10_000], context });
    await expect(p.join()).rejects.toBeInstanceOf(ProcessError);
    p.start();
    expect(() => p.start()).toThrow(ProcessError);
    p.kill();
    await p.join(20_000);
    expect(p.exitCode).toBe(-9);
    const q = new mp.Process({ target: tasks.sleep, args: [10_000], context });
    q.start();
    await q.terminate();
    expect(q.exitCode).toBe(-15);
    const r = new mp.Process({ target: tasks.exitNow, args: [256 + 5], context });
    r.start();
    await r.join(20_000);
    expect(r.exitCode).toBe(5); // the exit status the OS keeps, as Python reports it
    r.close();
    expect(() => r.isAlive()).toThrow(ClosedError);
    await expect(r.join()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('Errors', () => {
  it('"each name is one class": the same object from every package, all ProcessErrors, with a code', async () => {
    const core = await import('@multiproc/core');
    const ipc = await import('@multiproc/ipc');
    const shared = await import('@multiproc/shared');
    const names = [
      'ProcessError',
      'WorkerCrashedError',
      'TimeoutError',
      'PoolClosedError',
      'SerializationError',
      'QueueEmptyError',
      'QueueFullError',
      'ValidationError',
      'BrokenBarrierError',
      'ContextError',
      'EOFError',
      'LockError',
      'ClosedError',
    ] as const;
    for (const name of names) {
      const Class = mp[name];
      for (const pkg of [core, ipc, shared] as Record<string, unknown>[])
        if (name in pkg) expect(pkg[name], name).toBe(Class);
      expect(Class === mp.ProcessError || Class.prototype instanceof mp.ProcessError, name).toBe(true);
    }
    expect(PoolClosedError.prototype).toBeInstanceOf(ClosedError);
    expect(() => mp.getContext('fork' as never)).toThrow(ContextError);
    const codes = new Set<string>();
    const thrown = [
      await outcome(() => new mp.Queue().get(0)),
      await outcome(() => mp.Pipe()[0].poll('x' as never)),
    ];
    expect(thrown).toEqual(['!QueueEmptyError', '!ValidationError']);
    for (const make of [
      () => new mp.Queue().get(0),
      () => mp.Pipe()[0].poll('x' as never),
      () => {
        const [a, b] = mp.Pipe();
        b.close();
        return a.recv();
      },
    ]) {
      const err = (await (make() as Promise<unknown>).catch((e: unknown) => e)) as { code: string };
      expect(err.code).toMatch(/^MP_[A-Z_]+$/);
      codes.add(err.code);
    }
    expect(codes.size).toBe(3);
    expect(EOFError).toBe(mp.EOFError);
    expect(TimeoutError).toBe(mp.TimeoutError);
    expect(ValidationError).toBe(mp.ValidationError);
  });
});
