// The test suites of three Node pools, piscina (piscinajs/piscina test/*.ts), tinypool
// (tinylibs/tinypool test/*.test.ts) and workerpool (josdejong/workerpool test/*.js), translated
// to multiproc's API: a task is a reference from defineTasks() (fixtures/peer-suites-58-tasks.mjs
// holds their worker files' functions), run()/exec() is apply(), destroy() is terminate(),
// maxThreads is processes, minThreads minProcesses, isolateWorkers maxTasksPerChild: 1,
// pool.threads/queueSize/completed are pool.stats(). Each case runs in both contexts where it means
// something in both. Like the other ports it runs in the full tier (`MULTIPROC_TESTS=full`, see
// vitest.config.ts). The faults it found have CI tests in core: a task replacing globalThis.process
// (or breaking a thread's Atomics) failed every later call of its pool (replaced-process.test.ts),
// and their members and options read undefined or were refused without advice
// (node-pool-names.test.ts).
//
// Each peer case: covered (where the repo already checks it), ported here, or not applicable (why).
//
// piscina test/abort-task.ts
// - aborted through AbortController while running (x2, with reason): ported (cause is the reason)
// - aborted through EventEmitter while running / before running: not applicable, a signal is an
//   AbortSignal only (an EventEmitter is refused: ported with post-task's signal validation)
// - aborted before running, queueSize 1: ported (stats().queued)
// - abortable tasks will not share workers (posted second / first): not applicable
//   (concurrentTasksPerWorker: a worker runs one task at a time)
// - ... (on worker available): ported (a call with a signal runs once a worker is free, in order)
// - ... (destroy workers): ported (terminate(): PoolClosedError for the running and the queued)
// - aborted AbortSignal rejects at once, the data not moved (x2, with reason): ported with move()
// - task with AbortSignal cleans up properly: covered (node-pool-bugs-39, p-retry #71)
// piscina test/pool-close.ts
// - no pending tasks (also minThreads 0), queued tasks wait for all to complete: covered
//   (node-pool-bugs: closing with calls queued runs them all)
// - abort any task enqueued during closing up: covered (PoolClosedError after close())
// - close({ force: true }), closeTimeout: not applicable (terminate(); closeTimeout is advised)
// piscina test/pool-destroy.ts, tinypool test/pool-destroy.test.ts
// - can destroy pool while tasks are running: covered (node-pool-bugs: terminate() of a spin)
// - destroy after initializing (isolateWorkers, #43): ported (maxTasksPerChild: 1)
// - cleans up async resources (async_hooks 'Tinypool'): covered (node-pool-bugs-45: no handle left)
// piscina test/test-uncaught-exception-from-handler.ts, tinypool uncaught-exception-from-handler
// - uncaught exception resets Worker: covered (a throwing task rejects with its error)
// - uncaught exception in immediate resets Worker: ported (WorkerCrashedError, the error as cause;
//   piscina rejects with the error itself: the contract names a dead worker's call so)
// - uncaught exception in immediate after task yields error event: ported ('crash' event's cause)
// - exiting process resets worker: ported (a new worker: other pid or thread id)
// - exiting process in immediate after task errors next task: ported
// - using parentPort is treated as an error (tinypool): ported: a task posting on the worker's own
//   channel (parentPort, process.send) is ignored; its call resolves and the pool runs on
// - no named handler found from worker: covered (define-tasks-names: a name defineTasks() lacks)
// - (the brief's) unhandled rejection inside a running task: ported (WorkerCrashedError, cause)
// piscina test/thread-count.ts
// - will start with minThreads and max out at maxThreads: ported (stats().workers)
// - low maxThreads sets minThreads, high minThreads sets maxThreads: not applicable (minProcesses
//   defaults to processes; more than an explicit processes is refused: next case)
// - conflicting min/max threads is error: ported (ValidationError)
// - thread count should be 0 upon destruction: ported (stats().workers after terminate())
// piscina test/task-queue.ts, tinypool test/task-queue.test.ts
// - will put items into a task queue until they can run: ported (stats().queued)
// - will reject items over task queue limit: covered (node-pool-bugs-45, piscina #868)
// - unavailable task queue (maxQueue 0): not applicable, maxQueue is at least 1 (0 is refused)
// - tasks can share a Worker if requested (x3): not applicable (one task per worker)
// - custom task queue works: not applicable (calls run in order; taskQueue is advised)
// - queued tasks can be cancelled (tinypool cancelPendingTasks): covered (tinypool #52: a signal)
// piscina test/idle-timeout.ts, tinypool test/idle-timeout.test.ts
// - idle timeout will let go of threads early: ported (3 distinct workers over the two rounds)
// piscina test/simple-test.ts, tinypool test/simple.test.ts
// - exposed on export / itself, isWorkerThread (main, worker, named import): covered (exports
//   tests; isMain() in every worker: contract suites); workerpool environment.test.js the same
// - instance is an EventEmitter: ported; constructor options are correctly set: ported
//   (pool.processes, pool.context; piscina's options is advised)
// - trivial and async eval() handler, run works also: ported (a task's value, its promise's value)
// - filename given while posting / null / must be given / a file:// URL / an ESM module: not
//   applicable (each call names a task reference; a path given as the task is advised: covered)
// - passing env / argv / execArgv (also to a child process): not applicable as options (refused
//   with advice: covered by node-pool-names); workers inherit them: covered (node-pool-bugs-39)
// - passing valid workerData (also named import): ported (initializer and initargs)
// - passing invalid workerData does not work: ported (SerializationError from new Pool())
// - duration and utilization calculations work: not applicable (no timings kept; advised)
// - named tasks work (x2): covered (defineTasks() names each function)
// - isolateWorkers false / true: covered (tinypool #90: module state kept, or not with
//   maxTasksPerChild 1)
// - workerId never above maxThreads, never duplicated, count never below minThreads with
//   isolateWorkers, minThreads 0 does not halt (#42): covered (tinypool #42, #44, #60, #61 ports)
// piscina test/post-task.ts
// - can transfer ArrayBuffer instances: ported (move(); the caller's buffer is detached)
// - cannot clone built-in objects (a MessagePort not listed): ported for a child (a named
//   SerializationError); a thread takes the port (moved with the call), where piscina refuses it
// - resolves with a rejection when the handler rejects / throws: ported
// - validates transferList / filename / name: not applicable (no such options: each is refused
//   with advice, covered by node-pool-names); validates abortSignal: ported
// - emits drain: ported; needsDrain: covered (advised; backpressure by maxQueue)
// - async loaded workers (CJS, ESM): covered (task modules with top-level await)
// - maxThreads / minThreads getters: not applicable (advised: pool.processes)
// piscina test/messages.ts: Pool receives messages from workers: ported (sendToCaller, onMessage)
// piscina test/move-test.ts, test/test-is-buffer-transferred.ts, tinypool test/move.test.ts
// - marking objects, primitives and null as movable: not applicable (move() takes a buffer or a
//   view only, anything else is ValidationError: covered by bad-input-54)
// - ArrayBuffer, TypedArray moved: ported (a child gets a copy: nothing can move to another
//   process); MessagePort: ported for a child (refused, named), a thread sends it; moving works: ported
// piscina test/test-resourcelimits.ts, tinypool test/resource-limits.test.ts
// - resourceLimits causes task to reject: covered (node-pool-bugs, tinypool #56)
// - maxMemoryLimitBeforeRecycle (x2): not applicable (advised: resourceLimits, maxTasksPerChild)
// piscina histogram.ts, issue-513.ts, nice.ts, atomics-optimization.ts, fixed-queue.ts,
// generics.ts, load-with-esm.ts, console-log.ts, async-context.ts; tinypool atomic.test.ts,
// async-context.test.ts, options.test.ts (fractional maxThreads), teardown.test.ts,
// worker-stdio.test.ts: not applicable (no histograms, niceness, Atomics option, task queue class,
// AsyncResource, fractional counts (processes must be whole: bad-input-54), teardown hook) or
// covered (issue-513: a thrown error's message; generics: call-types; console output:
// output-lines; stdio: grandchild-output)
// tinypool test/globals.test.ts: doesn't hang when process is overwritten: ported (was a fault)
// tinypool test/isolation.test.ts (recycleWorkers): not applicable (advised)
// tinypool test/runtime.test.ts
// - runs code in worker_threads / child_process, threadId, pid: ported
// - tinypool state, workerId, channel closed (isolated or not), messages to port, runtime changed
//   after recycle: not applicable (tinypool internals; a pool's context is fixed)
// - errors are serialized (child_process): covered (error-shapes, both contexts)
// tinypool test/termination.test.ts
// - termination timeout: not applicable (terminate() stops at once); writing to a terminating
//   worker: covered (workerpool #511 port)
// - recycling workers while closing pool does not crash: ported (maxTasksPerChild 1, terminate())
// workerpool test/Pool.test.js
// - nodeWorker process / auto / thread, passing options to threads, forkOpts, worker creation
//   hook: contexts covered; ported: 'workerCreate' carries each worker's pid (onCreateWorker)
// - stdout/stderr capture (x4): not applicable (output goes to the program's stdout/stderr)
// - offload a function / async function, proxy (x4): not applicable (task references; advised)
// - put tasks in queue when all workers are busy: ported with stats
// - errors thrown by a worker, a nested custom error class, a returned / rejected Promise: ported
//   (a thrown object that is not an Error comes back as that value, as piscina does; workerpool
//   makes it an Error)
// - cancel a task / a queued task / run following tasks / no new task for a cancelled worker:
//   covered (node-pool-bugs, workerpool #39, #548)
// - timeout a task: covered; start the timeout once taken from the queue (1) and (2): ported as
//   a deviation: a call's timeout counts from the call, as Python's get(timeout) does
// - handle crashed workers (killed from outside): covered (pool-outside-kills)
// - options maxWorkers / minWorkers (types, cpus - 1, 'max', raised to match): covered
//   (bad-input-54) or not applicable ('max'); queueStrategy FIFO: ported; LIFO, custom: not
//   applicable (advised)
// - clear all workers on termination, wait until subprocesses have ended, terminate(false) waits,
//   cancel pending tasks on terminate: covered (workerpool #96, #176, #498)
// - return statistics: ported (pool.stats())
// - wrong type of arguments in exec: covered (bad-input-54); queue full: covered (piscina #868)
// - receive events from worker: ported (sendToCaller); transferable to / from worker: ported
// - worker termination handler (x3), abort handler (x8): not applicable (no worker cleanup or
//   abort hook: an aborted task's worker is replaced)
// - validate forkOpts / workerThreadOpts: covered (advised, node-pool-names)
// workerpool test/WorkerHandler.test.js, Queues.test.js, Promise.test.js,
// debug-port-allocator-test.js, types: not applicable (its internals, its Promise class, its
// debug ports) or covered (a worker's own requests, terminate before ready: first-use-terminated)
import { EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import {
  move,
  Pool,
  PoolClosedError,
  SerializationError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks as t } from './fixtures/peer-suites-58-tasks.mjs';
import { poolsEndedAfterEach, sleep } from './report-helpers.ts';

const pool = poolsEndedAfterEach();

/** What `p` rejected with (fails the test if it resolved). */
async function caught(p: PromiseLike<unknown>): Promise<any> {
  try {
    const value = await p;
    throw new Error(`expected a rejection, got ${String(value)}`);
  } catch (err) {
    return err;
  }
}

/** Polls `check` every 20 ms until it is true or `ms` passed; resolves with its last answer. */
async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(20);
  return check();
}

describe.each(matrix(import.meta.url))('piscina test/abort-task.ts, %s context', (context) => {
  it('a running call aborted with a reason rejects with AbortError, the reason as cause', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.add, [1, 1]); // the worker is up: the next call runs at once
    const controller = new AbortController();
    const reason = new Error('custom reason');
    const running = caught(p.apply(t.sleep, [30_000], { signal: controller.signal }));
    await eventually(() => p.stats().busy === 1);
    controller.abort(reason);
    const err = await running;
    expect(err.name).toBe('AbortError');
    expect(err.cause).toBe(reason);
    expect(await p.apply(t.add, [2, 3])).toBe(5);
  });

  it('a queued call is counted as queued, and aborting it leaves the running one to finish', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.add, [1, 1]);
    const first = p.apply(t.sleep, [300]);
    const controller = new AbortController();
    const second = caught(p.apply(t.add, [1, 2], { signal: controller.signal }));
    await eventually(() => p.stats().busy === 1);
    expect(p.stats().queued).toBe(1);
    controller.abort();
    expect((await second).name).toBe('AbortError');
    expect(await first).toBe(300);
    expect(p.stats()).toMatchObject({ queued: 0, busy: 0, failed: 1 });
  });

  it('a signal aborted before the call rejects at once; the buffer given to move() is not moved', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const controller = new AbortController();
    const reason = new Error('custom reason');
    controller.abort(reason);
    const data = new Uint8Array(4);
    const err = await caught(p.apply(t.byteLength, [move(data)], { signal: controller.signal }));
    expect(err.name).toBe('AbortError');
    expect(err.cause).toBe(reason);
    expect(data.length).toBe(4);
  });

  it('a call with a signal queued behind two others runs once a worker is free, in order', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const results = await Promise.all([
      p.apply(t.sleep, [100]),
      p.apply(t.sleep, [300]),
      p.apply(t.sleep, [100], { signal: new AbortController().signal }),
    ]);
    expect(results).toEqual([100, 300, 100]);
  });

  it('terminate() after the first call rejects the running and the queued one (with a signal)', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const ended = p.apply(t.sleep, [100]).then(() => p.terminate());
    const second = caught(p.apply(t.sleep, [3000]));
    const third = caught(p.apply(t.sleep, [100], { signal: new AbortController().signal }));
    await ended;
    expect(await second).toBeInstanceOf(PoolClosedError);
    expect(await third).toBeInstanceOf(PoolClosedError);
  });

  it('a signal that is not an AbortSignal (42, an EventEmitter) rejects with ValidationError', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    for (const signal of [42, new EventEmitter()]) {
      const call = () => p.apply(t.add, [1, 2], { signal: signal as never });
      const first = call();
      expect(first).toBeInstanceOf(Promise); // rejects, never throws
      expect(await caught(first)).toBeInstanceOf(ValidationError);
    }
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });
});

describe.each(matrix(import.meta.url))(
  'piscina and tinypool uncaught-exception-from-handler, %s context',
  (context) => {
    it('an uncaught exception from setImmediate while the task runs: WorkerCrashedError with it as cause', {
      timeout: 20_000,
    }, async () => {
      const p = pool({ processes: 1, context });
      const err = await caught(p.apply(t.throwInImmediate));
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err.exitCode).toBe(1);
      expect(err.cause?.message).toBe('not_caught');
      expect(await p.apply(t.add, [1, 2])).toBe(3);
    });

    it('an unhandled rejection while the task runs: WorkerCrashedError with it as cause', {
      timeout: 20_000,
    }, async () => {
      const p = pool({ processes: 1, context });
      const err = await caught(p.apply(t.unhandledWhileRunning));
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err.cause?.message).toBe('unhandled in task');
      expect(await p.apply(t.add, [1, 2])).toBe(3);
    });

    it("an uncaught exception from a timer after the task returned: its result, then a 'crash' event", {
      timeout: 20_000,
    }, async () => {
      const p = pool({ processes: 1, context });
      const crashed = new Promise<any>((resolve) => p.once('crash', resolve));
      expect(await p.apply(t.throwAfterReturn, [100])).toBe(42);
      const crash = await crashed;
      expect(crash.reason).toBe('crashed');
      expect(crash.cause?.message).toBe('not_caught');
      expect(await p.apply(t.add, [1, 2])).toBe(3);
    });

    it('process.exit(1) in a task: WorkerCrashedError with exit code 1, and a new worker', {
      timeout: 20_000,
    }, async () => {
      const p = pool({ processes: 1, minProcesses: 1, context });
      const before = await p.apply(t.who);
      const err = await caught(p.apply(t.exit, [1]));
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err.exitCode).toBe(1);
      expect(await p.apply(t.who)).not.toBe(before);
    });

    it('process.exit(1) from a timer after the task returned fails the next call, running; the worker is replaced', {
      timeout: 20_000,
    }, async () => {
      const p = pool({ processes: 1, context });
      const before = await p.apply(t.who);
      expect(await p.apply(t.exitAfterReturn, [100])).toBe(42);
      const err = await caught(p.apply(t.sleep, [3000]));
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err.exitCode).toBe(1);
      expect(await p.apply(t.who)).not.toBe(before);
    });

    it("a task posting on its worker's own channel (parentPort, process.send) is answered; the pool runs on", {
      timeout: 20_000,
    }, async () => {
      const p = pool({ processes: 1, context });
      expect(await p.apply(t.postOnParentPort, ['some message'])).toBe('posted');
      expect(await p.apply(t.add, [1, 2])).toBe(3);
    });
  },
);

describe.each(matrix(import.meta.url))(
  'piscina thread-count, task-queue and idle-timeout, %s context',
  (context) => {
    it('starts minProcesses workers and grows to processes; the rest is queued; 0 workers after terminate()', {
      timeout: 30_000,
    }, async () => {
      const p = pool({ processes: 4, minProcesses: 2, context });
      expect(p.stats().workers).toBe(2);
      const calls = Array.from({ length: 5 }, () => p.apply(t.sleep, [1500]));
      expect(await eventually(() => p.stats().busy === 4)).toBe(true);
      expect(p.stats()).toMatchObject({ workers: 4, queued: 1 });
      await Promise.all(calls);
      await p.terminate();
      expect(p.stats().workers).toBe(0);
    });

    it('an idle worker above minProcesses is let go after idleTimeout; the next round starts another', {
      timeout: 30_000,
    }, async () => {
      const p = pool({ processes: 2, minProcesses: 1, idleTimeout: 500, context });
      // Long enough for the worker started on demand to be ready before the first call ends (else
      // the first worker takes both, as it may: piscina's fixture waits for the other with Atomics).
      const early = await Promise.all([p.apply(t.whoAfter, [2000]), p.apply(t.whoAfter, [2000])]);
      expect(new Set(early).size).toBe(2);
      expect(await eventually(() => p.stats().workers === 1)).toBe(true);
      const late = await Promise.all([p.apply(t.whoAfter, [2000]), p.apply(t.whoAfter, [2000])]);
      expect(new Set(late).size).toBe(2);
      expect(new Set([...early, ...late]).size).toBe(3);
    });
  },
);

describe('piscina thread-count and simple-test: options', () => {
  it('minProcesses above processes is refused with ValidationError', () => {
    expect(() => new Pool({ processes: 8, minProcesses: 16 })).toThrow(ValidationError);
  });

  it('a Pool is an EventEmitter, and reads back the options it was given', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 3, context: 'process', maxQueue: 30 });
    expect(p).toBeInstanceOf(EventEmitter);
    expect(p.processes).toBe(3);
    expect(p.context).toBe('process');
  });
});

describe.each(matrix(import.meta.url))('piscina simple-test and post-task, %s context', (context) => {
  it("a task's value and its promise's value come back (trivial and async eval() handlers)", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.identity, [42])).toBe(42);
    expect(await p.apply(t.sleep, [1])).toBe(1);
  });

  it('data every worker starts with (workerData) is given by initializer and initargs', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context, initializer: t.keep, initargs: ['ABC'] });
    expect(await Promise.all([p.apply(t.initialised), p.apply(t.initialised)])).toEqual(['ABC', 'ABC']);
  });

  it('initargs that cannot be sent (a function) throw SerializationError from new Pool(), naming the path', () => {
    const make = () => new Pool({ processes: 1, context, initializer: t.keep, initargs: [{ hello() {} }] });
    expect(make).toThrow(SerializationError);
    expect(make).toThrow(/initargs\[0\]\.hello/);
  });

  it('a buffer given to move() arrives whole, detached in the caller (a thread; a child gets a copy)', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const ab = new ArrayBuffer(40);
    expect(await p.apply(t.byteLength, [move(ab)])).toBe(40);
    expect(ab.byteLength).toBe(context === 'thread' ? 0 : 40);
    const view = new Uint8Array(8).map((_v, i) => i);
    expect(await p.apply(t.byteLength, [move(view)])).toBe(8);
    expect(view.byteLength).toBe(context === 'thread' ? 0 : 8);
    expect(p.stats().completed).toBe(2);
  });

  it("'drain' is emitted once every call is done, with nothing queued or running", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const seen: object[] = [];
    p.on('drain', () => seen.push(p.stats()));
    await Promise.all([p.apply(t.add, [1, 2]), p.apply(t.add, [1, 2]), p.apply(t.add, [1, 2])]);
    expect(await eventually(() => seen.length > 0)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ busy: 0, queued: 0 });
  });

  it('what a task sends with sendToCaller() reaches onMessage before the result (piscina messages, workerpool emit)', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const received: unknown[] = [];
    const result = await p.apply(t.emit, [{ foo: 'bar' }], { onMessage: (m) => received.push(m) });
    expect(result).toBe('done');
    expect(received).toEqual([{ foo: 'bar' }]);
  });

  it('tinypool globals: a task that replaces globalThis.process resolves through it; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.overwriteProcess)).toBe('exit() from overwritten process');
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });
});

describe.each(matrix(import.meta.url))('workerpool test/Pool.test.js and tinypool, %s context', (context) => {
  it('errors thrown by a task: a TypeError, a rejected promise, an object and a string as they were thrown', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const typeError = await caught(p.apply(t.throwTypeError));
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError.message).toBe('Test error');
    expect(String(await caught(p.apply(t.reject)))).toBe('Error: I reject!');
    expect(await caught(p.apply(t.throwCustom))).toEqual({ message: 'Custom error', details: { value: 42 } });
    expect(await caught(p.apply(t.throwString))).toBe('a string');
  });

  it("a queued call's timeout counts from the call, not from its start (unlike workerpool)", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.add, [1, 1]);
    const busy = p.apply(t.sleep, [400]);
    expect(await caught(p.apply(t.identity, ['ready'], { timeout: 100 }))).toBeInstanceOf(TimeoutError);
    expect(await caught(p.apply(t.sleep, [400], { timeout: 100 }))).toBeInstanceOf(TimeoutError);
    expect(await busy).toBe(400);
    expect(await p.apply(t.identity, ['ready'], { timeout: 10_000 })).toBe('ready');
  });

  it('statistics: busy and queued while calls run, all counted once they are done', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 4, context });
    await p.apply(t.sleep, [1]);
    const all = Promise.all(Array.from({ length: 6 }, () => p.apply(t.sleep, [800])));
    expect(await eventually(() => p.stats().busy === 4)).toBe(true);
    expect(p.stats()).toMatchObject({ workers: 4, busy: 4, queued: 2 });
    await all;
    expect(p.stats()).toMatchObject({ workers: 4, busy: 0, queued: 0, completed: 7, failed: 0 });
    await caught(p.apply(t.reject));
    expect(p.stats()).toMatchObject({ busy: 0, queued: 0, completed: 7, failed: 1 });
  });

  it('calls run in the order they were made (queueStrategy fifo)', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => p.apply(t.sleep, [20 - i * 4]).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("'workerCreate' tells each worker's pid (onCreateWorker)", { timeout: 20_000 }, async () => {
    const p = pool({ processes: 2, minProcesses: 0, context });
    const created: { pid: number; threadId: number | undefined }[] = [];
    p.on('workerCreate', (w) => created.push(w));
    const pids = await Promise.all([p.apply(t.whoAfter, [200]), p.apply(t.whoAfter, [200])]);
    expect(created.length).toBe(2);
    for (const w of created) {
      if (context === 'thread') expect(w.pid).toBe(process.pid);
      else expect(pids.map((s) => Number(s.split(':')[0]))).toContain(w.pid);
    }
  });

  it('a result built in the worker arrives whole (transfer from worker)', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context });
    const result = await p.apply(t.makeBuffer, [8]);
    expect(result.byteLength).toBe(8);
    expect([...result]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('tinypool #43: terminate() right after a call to a pool of once-used workers rejects it', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, maxTasksPerChild: 1, context });
    const call = caught(p.apply(t.sleep, [1000]));
    setImmediate(() => void p.terminate());
    expect(await call).toBeInstanceOf(PoolClosedError);
  });

  it('tinypool termination: recycling once-used workers while the pool is terminated does not crash', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, maxTasksPerChild: 1, context });
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => p.apply(t.add, [i, 1])))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    await p.terminate();
    expect(p.stats().workers).toBe(0);
  });
});

describe('tinypool test/runtime.test.ts', () => {
  it('thread context: code runs in a worker thread of this process', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context: 'thread' });
    expect(await p.apply(t.isMainThread)).toBe(false);
    const [pid, threadId] = (await p.apply(t.who)).split(':').map(Number);
    expect(pid).toBe(process.pid);
    expect(threadId).toBeGreaterThan(0);
  });

  it('process context: code runs in a child process with its own pid', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    expect(await p.apply(t.isMainThread)).toBe(true);
    const [pid, threadId] = (await p.apply(t.who)).split(':').map(Number);
    expect(pid).not.toBe(process.pid);
    expect(threadId).toBe(0);
  });
});

describe('piscina test/post-task.ts: a MessagePort not moved', () => {
  it('process context: refused with SerializationError naming it; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const { port1, port2 } = new MessageChannel();
    const err = await caught(p.apply(t.identity, [{ obj: port1 }]));
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.message).toContain('args[0].obj');
    port1.close();
    port2.close();
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });
});
