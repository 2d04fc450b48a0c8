// Public bug reports of Node's worker pools (piscina, tinypool, workerpool, threads.js, poolifier,
// Node's worker_threads and child_process) and of Python's pools and their relatives
// (multiprocessing, loky, livekit's process pool) that the earlier report files do not cover. Each
// case names its report, says in a line what went wrong there, and asserts what the contract (or,
// where it is silent, Python's fixed behaviour) says must happen instead, against real threads and
// child processes. Like the other report files it runs in the full tier (`MULTIPROC_TESTS=full`,
// both contexts; see vitest.config.ts).
//
// Reports covered here:
// - josdejong/workerpool#548: the worker of a timed-out task was killed later, taking the next
//   task (sent to it meanwhile) with it.
// - josdejong/workerpool#479: aborting a running task; the pool must go on with a fresh worker.
// - poolifier/poolifier#1748: a pool that may shrink to no worker failed the next task.
// - piscinajs/piscina#584: closing a pool that had shrunk to no worker never resolved.
// - angular/angular-cli#26073: ending a pool started new workers only to stop them.
// - uqfoundation/multiprocess#57: an imap iterator read after its pool's `with` block hung.
// - python/cpython#114948: map over a million items hung at a random item.
// - joblib/loky#143: a big argument (over the pipe's size limit) deadlocked the pool.
// - livekit/agents#5868: jobs waited for ever for a worker whose start never finished.
// - openvax/mhcflurry#394: a big initializer payload blocked the pool's start.
// - nodejs/node#33082 (its worker-pool example): a task queued while every worker failed never ran.
// - nodejs/node#25786: the same buffer twice in one message crashed the process.
// - nodejs/node#55593: a small Buffer (of Node's shared pool) could not be transferred.
// - nodejs/node#33263: buffers transferred back from a worker crashed the process.
// - nodejs/node#31246: the main thread blocking on shared memory kept its new worker from starting.
// - nodejs/node#760: a message sent just before process.exit() was lost.
// - python/cpython#101405: clients connecting at once to an address nobody listens on hung.
// - python/cpython#85180, python/cpython#78747: poll() at the end of a pipe raised; EOF was read
//   while the process still had no exit code.
// - andywer/threads.js#162: the program did not end after terminating the pool.
// - tinylibs/tinypool#49, oven-sh/bun#29173: terminating a worker parked in Atomics.wait (or busy)
//   never resolved.
// - oven-sh/bun#32802: a worker that exits while its own child is parked in Atomics.wait never ended.
// - web-infra-dev/rstest#1285: closing a pool hung while a native handle kept a worker's loop alive.
// - web-infra-dev/rstest#1171: stopping a process that had already exited waited for ever.
// - piscinajs/piscina#295: an object of the user's class lost its class on the way.
// - piscinajs/piscina#102: a result holding an unsendable part failed without saying where.
// - python/cpython#106691: increments of a shared Value under its lock must not be lost.
// - nodejs/node#30491: a worker's output written while the main thread was busy was lost.
// - gevent/gevent#311: imap_unordered over an input that paused after its last item hung.
// - josdejong/workerpool#511: calls ended by terminate() rejected outside the caller's try/catch.
// - hazelgrove/hazel#2370: a deeply nested result overflowed the stack of postMessage.
// - apache/dolphinscheduler#14367: a result of hundreds of megabytes was never read.
// - It4innovations/hyperqueue#514: a task's own child outlived the worker killed under it.
import { readFileSync } from 'node:fs';
import {
  Client,
  ConnectError,
  EOFError,
  Event,
  move,
  Pipe,
  PoolClosedError,
  Process,
  Queue,
  SerializationError,
  TimeoutError,
  Value,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { Money, tasks as t } from './fixtures/bugs-56-tasks.mjs';
import {
  alive,
  eventually,
  fileWritten,
  lines,
  range,
  rejection,
  reportSuite,
  runProgram,
  sleep,
  within,
} from './report-helpers.ts';

const { CONTEXTS, pool, scratchFile } = reportSuite(import.meta.url, 'bugs-56-');

/** The text of `file` once it holds a whole line. */
async function readWhenWrittenPid(file: string): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    const text = readFileSync(file, 'utf8');
    if (text.endsWith('\n')) return text;
    await sleep(10);
  }
  throw new Error(`nothing was written to ${file}`);
}

/** Every value an async iterable yields, in order. */
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe.each(CONTEXTS)('bug reports (56), pools, %s context', (context) => {
  it('workerpool#548: the call sent right after a timed-out one completes on the replaced worker', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    for (let round = 0; round < 3; round++) {
      const timedOut = p.apply(t.spin, [], { timeout: 300 });
      const next = p.apply(t.sleep, [200]); // queued behind it: runs on the worker that replaces it
      expect(await rejection(timedOut)).toBeInstanceOf(TimeoutError);
      const after = p.apply(t.add, [round, 1]); // sent while the old worker is being stopped
      expect(await within(next, 15_000)).toBe(200);
      expect(await within(after, 15_000)).toBe(round + 1);
    }
  });

  it('workerpool#479: aborting a running task recycles its worker; the next calls run', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = scratchFile();
    const controller = new AbortController();
    const running = p.apply(t.spinAfterWriting, [file], { signal: controller.signal });
    await fileWritten(file);
    controller.abort(new Error('user left'));
    const err = await rejection(running);
    expect(err.name).toBe('AbortError');
    expect(await within(Promise.all([p.apply(t.add, [1, 2]), p.apply(t.add, [3, 4])]), 15_000)).toEqual([
      3, 7,
    ]);
  });

  it('poolifier#1748: a pool that shrank to no worker runs the next call on a new one', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, minProcesses: 0, idleTimeout: 50, context });
    const first = await p.apply(t.where, []);
    await sleep(600); // well past idleTimeout: the worker is gone
    const second = await within(p.apply(t.where, []), 15_000);
    expect(second).not.toBe('still waiting');
    expect(second).not.toBe(first);
    expect(await within(p.map(t.square, range(6)), 15_000)).toEqual([0, 1, 4, 9, 16, 25]);
  });

  it('piscina#584: close() and join() of a pool that shrank to no worker resolve', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, minProcesses: 0, idleTimeout: 50, context });
    expect(await p.apply(t.add, [1, 1])).toBe(2);
    await sleep(400);
    p.close();
    expect(await within(p.join(), 10_000)).toBeUndefined();
  });

  it('angular-cli#26073: terminate() starts no new worker, not even for minProcesses', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 2, minProcesses: 2, initializer: t.countStart, initargs: [file], context });
    await p.map(t.sleep, [100, 100]); // both workers started
    expect(await eventually(() => lines(file).length === 2)).toBe(true);
    await within(p.terminate(), 10_000);
    await sleep(500);
    expect(lines(file)).toHaveLength(2);
  });

  it('multiprocess#57: an imap iterator read after its pool was disposed rejects with PoolClosedError', {
    timeout: 30_000,
  }, async () => {
    let results: AsyncIterable<number>;
    {
      await using p = pool({ processes: 2, context });
      results = p.imap(t.square, range(4));
    }
    const outcome = await within(
      collect(results).catch((e: unknown) => e),
      10_000,
    );
    expect(outcome).toBeInstanceOf(PoolClosedError);
  });

  it('cpython#114948: map over a million items completes, in order', { timeout: 120_000 }, async () => {
    const p = pool({ processes: 2, context });
    const out = await within(p.map(t.square, range(1_000_000)), 100_000);
    expect(out).not.toBe('still waiting');
    const values = out as number[];
    expect(values).toHaveLength(1_000_000);
    expect(values[0]).toBe(0);
    expect(values[999_999]).toBe(999_999 * 999_999);
    expect(values.every((v, i) => v === i * i)).toBe(true);
  });

  it('loky#143: a 64 MB argument and a 64 MB result cross without a deadlock', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const size = 64 * 1024 * 1024;
    expect(await within(p.apply(t.byteSum, [new Uint8Array(size).fill(1)]), 45_000)).toBe(size);
    const back = await within(p.apply(t.bytes, [size]), 45_000);
    expect((back as Uint8Array).length).toBe(size);
    expect(await p.apply(t.add, [1, 1])).toBe(2);
    // the same through a Queue a worker puts on (loky's deadlock was in the queue's feeder)
    const q = new Queue<Uint8Array>();
    const putter = new Process({ target: t.putBytes, args: [q, 32], context });
    putter.start();
    const got = await within(q.get({ timeout: 30_000 }), 35_000);
    expect((got as Uint8Array).length).toBe(32 * 1024 * 1024);
    await within(putter.join(), 15_000);
    expect(putter.exitCode).toBe(0);
  });

  it('livekit/agents#5868: a call to a pool whose worker never gets ready times out; terminate ends it', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, initializer: t.neverReady, context });
    const err = await within(rejection(p.apply(t.add, [1, 2], { timeout: 500 })), 10_000);
    expect(err).toBeInstanceOf(TimeoutError);
    const pending = p.apply(t.add, [3, 4]);
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
    expect(await within(rejection(pending), 5000)).toBeInstanceOf(PoolClosedError);
  });

  it('mhcflurry#394: a 1 MB initializer payload reaches every worker; the pool runs', {
    timeout: 30_000,
  }, async () => {
    const payload = 'x'.repeat(1 << 20);
    const p = pool({ processes: 2, initializer: t.keep, initargs: [payload], context });
    expect(await within(p.map(t.keptLength, [[], [], [], []] as [][]), 20_000)).toEqual([
      1 << 20,
      1 << 20,
      1 << 20,
      1 << 20,
    ]);
  });

  it('node#33082: a call queued while every worker dies still runs', { timeout: 30_000 }, async () => {
    const p = pool({ processes: 2, context });
    // Both rejections are taken at once: the second worker may die while the first is awaited.
    const dying = [p.apply(t.exitAfter, [150, 1]), p.apply(t.exitAfter, [150, 1])].map(rejection);
    const queued = p.apply(t.add, [20, 22]);
    for (const d of dying) expect(await within(d, 15_000)).toBeInstanceOf(WorkerCrashedError);
    expect(await within(queued, 15_000)).toBe(42);
  });

  it('node#25786: the same buffer given twice in one call arrives twice; nothing crashes', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const b = new Float64Array([1, 2, 3]);
    const moved = await within(p.apply(t.sumTwo, [move(b), move(b)]), 10_000);
    expect(moved).toMatchObject({ sum: 12 });
    const plain = new Float64Array([1, 2, 3]);
    expect(await within(p.apply(t.sumTwo, [plain, plain]), 10_000)).toEqual({ sum: 12, same: true });
  });

  it("node#55593: a small Buffer from Node's shared pool can be given to move()", {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const small = Buffer.from('some text');
    expect(await within(p.apply(t.text, [move(small)]), 10_000)).toBe('some text');
    const big = Buffer.alloc(64 * 1024, 0x62);
    expect(await within(p.apply(t.byteSum, [move(big)]), 10_000)).toBe(64 * 1024 * 0x62);
  });

  it('node#33263: buffers moved back from a task, many times, arrive whole', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const results = await within(Promise.all(range(50).map(() => p.apply(t.movedBack, [32]))), 20_000);
    for (const r of results as Uint8Array[]) {
      expect(r.length).toBe(32);
      expect(r[31]).toBe(7);
    }
  });

  it('rstest#1285: close() and join() end a pool whose worker holds a live native handle', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    expect(await p.map(t.leaveServer, [[], []] as [][])).toEqual(['listening', 'listening']);
    p.close();
    expect(await within(p.join(), 10_000)).toBeUndefined();
  });

  it('rstest#1285: a never-cleared interval holds join() (as a non-daemon thread in Python); terminate() ends it', {
    timeout: 30_000,
  }, async () => {
    // guide/pool.md: join() waits for the timers a task left behind, as Python's join() waits for
    // a worker's non-daemon threads; terminate(), also while join() waits, stops the workers at once.
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.leaveInterval, [])).toBe('left');
    p.close();
    const joined = p.join();
    expect(await within(joined, 1000)).toBe('still waiting');
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
    expect(await within(joined, 10_000)).toBeUndefined();
  });

  it('tinypool#49: terminate() of a pool whose worker spins resolves; the call rejects', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = scratchFile();
    const call = p.apply(t.spinAfterWriting, [file]);
    await fileWritten(file);
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
    expect(await within(rejection(call), 5000)).toBeInstanceOf(PoolClosedError);
  });

  it('piscina#295: an object of a class with a registered codec, and a BigInt, keep their type', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const sum = await within(p.apply(t.addMoney, [new Money(2n ** 70n), new Money(5n)]), 10_000);
    expect(sum).toBeInstanceOf(Money);
    expect((sum as Money).cents).toBe(2n ** 70n + 5n);
    expect(await p.apply(t.doubleBig, [2n ** 80n])).toBe(2n ** 81n);
  });

  it('piscina#102: a result with an unsendable part rejects with SerializationError naming it', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await within(rejection(p.apply(t.resultWithFunction, [])), 10_000);
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as SerializationError).path).toMatch(/^result.*nested.*onDone/);
    expect(await p.apply(t.add, [2, 2])).toBe(4);
  });

  it('threads.js#162: the program ends by itself after one call and terminate()', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-56-program.mjs', ['end-after-terminate', context]);
    expect(stdout).toContain('result 5');
    expect(stdout).toContain('terminated');
    expect(code).toBe(0);
  });

  it('node#30491: every line a task writes while the main thread is busy is printed', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-56-program.mjs', ['lines-while-busy', context]);
    expect(code).toBe(0);
    expect(stdout.split('\n').filter((l) => l.startsWith('worker '))).toEqual([
      'worker 1',
      'worker 2',
      'worker 3',
    ]);
    expect(stdout).toContain('result worker');
  });
  it('gevent#311: imap and imapUnordered over an input that pauses after its last item complete', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    async function* pausing() {
      yield 30;
      yield 10;
      yield 20;
      await sleep(100);
    }
    expect(await within(collect(p.imap(t.sleep, pausing())), 10_000)).toEqual([30, 10, 20]);
    const unordered = await within(collect(p.imapUnordered(t.sleep, pausing())), 10_000);
    expect([...(unordered as number[])].sort((a, b) => a - b)).toEqual([10, 20, 30]);
    async function* none(): AsyncGenerator<number> {
      await sleep(20);
      yield* [];
    }
    expect(await within(collect(p.imapUnordered(t.sleep, none())), 10_000)).toEqual([]);
  });

  it('workerpool#511: calls ended by terminate() reject only where they are awaited; nothing goes unhandled', {
    timeout: 30_000,
  }, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const p = pool({ processes: 2, context });
      const left = [
        p.applyAsync(t.sleep, [5000]),
        p.mapAsync(t.sleep, [5000]),
        p.applyAsync(t.sleep, [5000]),
      ];
      const awaited = p.map(t.sleep, [5000, 5000]).catch((e: unknown) => e);
      const iterated = collect(p.imapUnordered(t.sleep, [5000, 10])).catch((e: unknown) => e);
      await sleep(200);
      await within(p.terminate(), 10_000);
      expect(await within(awaited, 5000)).toBeInstanceOf(PoolClosedError);
      expect(await within(iterated, 5000)).toBeInstanceOf(PoolClosedError);
      await sleep(300);
      expect(left.map((r) => r.ready())).toEqual([true, true, true]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('hazel#2370: a value nested 20000 deep is refused with SerializationError both ways; 500 deep crosses', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await within(rejection(p.apply(t.deepList, [20_000])), 10_000)).toBeInstanceOf(SerializationError);
    let deep: unknown = null;
    for (let i = 0; i < 20_000; i++) deep = { next: deep };
    expect(await within(rejection(p.apply(t.listDepth, [deep])), 10_000)).toBeInstanceOf(SerializationError);
    expect(await within(p.apply(t.listDepth, [await p.apply(t.deepList, [500])]), 10_000)).toBe(500);
  });

  it('dolphinscheduler#14367: a 200 MB string result arrives whole', { timeout: 60_000 }, async () => {
    const p = pool({ processes: 1, context });
    const s = await within(p.apply(t.bigString, [200]), 45_000);
    expect((s as string).length).toBe(200 * 1024 * 1024);
    expect(await p.apply(t.add, [1, 1])).toBe(2);
  });

  it('hyperqueue#514: terminate() ends the Process a running task started, with its worker', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    p.apply(t.startSpinningChild, [file, 'process']).catch(() => {});
    await fileWritten(file);
    const pid = Number((await readWhenWrittenPid(file)).trim());
    await within(p.terminate(), 10_000);
    expect(await eventually(() => !alive(pid), 10_000)).toBe(true);
  });
});

describe.each(CONTEXTS)('bug reports (56), processes and pipes, %s context', (context) => {
  it('node#760: bytes sent just before process.exit() arrive, small and past the pipe size', {
    timeout: 30_000,
  }, async () => {
    for (const size of [2048, 300_000]) {
      const [parentEnd, childEnd] = Pipe();
      const p = new Process({ target: t.sendBytesThenExit, args: [childEnd, size], context });
      p.start();
      childEnd.close();
      const got = await within(parentEnd.recvBytes(), 15_000);
      expect((got as Uint8Array).length).toBe(size);
      await within(p.join(), 15_000);
      expect(p.exitCode).toBe(0);
      parentEnd.close();
    }
  });

  it('cpython#85180 + cpython#78747: at the end of a pipe poll() answers, recv() gives EOFError, the exit code is set', {
    timeout: 30_000,
  }, async () => {
    const [parentEnd, childEnd] = Pipe();
    const p = new Process({ target: t.holdThenReturn, args: [childEnd], context });
    p.start();
    childEnd.close();
    expect(await within(parentEnd.poll(10_000), 15_000)).toBe(true);
    expect(await within(rejection(parentEnd.recv()), 5000)).toBeInstanceOf(EOFError);
    await within(p.join(10_000), 15_000);
    expect(p.exitCode).toBe(0);
    parentEnd.close();
  });

  it('rstest#1171: terminate() and kill() of a process that already ended return at once', {
    timeout: 30_000,
  }, async () => {
    const p = new Process({ target: t.add, args: [1, 2], context });
    p.start();
    await within(p.join(), 15_000);
    expect(p.exitCode).toBe(0);
    expect(await within(p.terminate(), 2000)).toBeUndefined();
    p.kill();
    await within(p.join(), 2000);
    expect(p.exitCode).toBe(0);
  });

  it('bun#32802: a process that exits while its own child is parked in Atomics.wait ends with its code', {
    timeout: 30_000,
  }, async () => {
    const p = new Process({ target: t.exitOverParkedChild, args: [5], context });
    p.start();
    await within(p.join(15_000), 20_000);
    expect(p.exitCode).toBe(5);
  });
});

describe('bug reports (56), the thread context', () => {
  it('tinypool#49, bun#29173: terminate() of a worker parked in Atomics.wait with no timeout resolves', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'thread' });
    const ev = new Event();
    const parked = p.apply(t.parkOn, [ev]);
    await sleep(200);
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
    expect(await within(rejection(parked), 5000)).toBeInstanceOf(PoolClosedError);
  });

  it('cpython#106691: 4 workers adding 2000 each to a Value under its lock lose none', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 4, context: 'thread' });
    const v = new Value('i', 0);
    await within(Promise.all(range(4).map(() => p.apply(t.incrementLocked, [v, 2000]))), 20_000);
    expect(v.value).toBe(8000);
  });

  it('node#31246: the main thread blocking on an Event right after start() is woken by the worker', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-56-program.mjs', ['block-after-start', 'thread']);
    expect(stdout).toContain('waited true');
    expect(stdout).toContain('exit 0');
    expect(code).toBe(0);
  });
});

describe('bug reports (56), connections between programs', () => {
  it('cpython#101405: clients connecting at once to an address nobody listens on all fail fast', {
    timeout: 30_000,
  }, async () => {
    const socketPath = `${scratchFile()}.sock`;
    const attempts = [
      ...range(3).map(() => Client(socketPath)),
      ...range(3).map(() => Client(['127.0.0.1', 1])),
    ];
    const errors = await within(Promise.all(attempts.map((a) => rejection(a))), 10_000);
    expect(errors).not.toBe('still waiting');
    for (const err of errors as Error[]) expect(err).toBeInstanceOf(ConnectError);
  });
});
