// Cases of CPython's Lib/test/_test_multiprocessing.py that no earlier port names (cpython-port-29,
// -39-*, -43, -45): TestNoForkBomb, TestStartMethod.test_mixed_startmethod and
// _TestQueue.test_queue_feeder_on_queue_feeder_error, and _TestAtExit past the target that returns
// (cpython-port-39-process), ported to this API (camelCase, Promises, milliseconds). Python's atexit
// is `process.once('exit')` here; its start methods are the two contexts. Also CPython's Lib/test/test_concurrent_futures process-pool cases (test_process_pool,
// test_deadlock, test_shutdown), none of which an earlier port names, on this library's Pool; its
// pickling is this library's codec (an object's encodeSymbol method and registerCodec()). Each
// case is named after the Python method; where the contract differs from Python, the case asserts
// the documented behaviour and says so.
//
// Not ported (nothing in this API to port them to): TestPoolNotLeakOnFailure (it swaps the
// context's Process class for a fake whose start() fails; a Pool here takes no Process class),
// _TestPool.test_resource_warning (a ResourceWarning when an unclosed pool is collected; JavaScript
// has no such warning, and test/pool-dropped.test.ts in core covers a dropped pool),
// TestStartMethod.test_context_check_module_types and test_preload_resources (forkserver preload),
// TestManagerExceptions.test_dispatch (a reference cycle inside managers.dispatch), the fd-passing,
// heap, shared_memory, resource_tracker, forkserver, logging, Finalize, import-star and
// challenge-response cases; of test_concurrent_futures: test_idle_process_reuse_* (how many
// workers a pool starts for calls that do not overlap is its own design: Python's
// multiprocessing.Pool starts them all, its executor on demand), test_ressources_gced_in_workers,
// test_free_reference and test_no_stale_references (Python's reference counting),
// test_exit_during_result_unpickle_in_result_handler (a decoder here runs in the caller's thread),
// and test_submit_after_interpreter_shutdown (a call made in a process 'exit' listener: Node runs
// nothing asynchronous there, so it never runs; Python's executor raises RuntimeError).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mp, {
  ContextError,
  getContext,
  Lock,
  PoolClosedError,
  QueueEmptyError,
  SerializationError,
  type TaskRef,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import {
  type Context,
  poolsEndedAfterEach,
  processesKilledAfterEach,
  queuesClosedAfterEach,
  range,
} from './cpython-kit.ts';
import {
  CrashAtDecode,
  ErrorAtDecode,
  ErrorAtEncode,
  ExitAtDecode,
  tasks,
} from './fixtures/cpython-port-51-tasks.mjs';
import { runProgram } from './report-helpers.ts';

/** Both contexts in the full tier; in CI, the one test-support/matrix.ts picks for this file. */
const CONTEXTS = matrix(import.meta.url) as readonly Context[];

const pool = poolsEndedAfterEach();
const { closeAfterTest } = queuesClosedAfterEach();
const { start, killAfterTest } = processesKilledAfterEach();

const dir = mkdtempSync(join(tmpdir(), 'cpython-port-51-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A fresh path under this file's temporary directory. */
const freshPath = (name: string) => join(dir, `${name}-${++files}`);

describe.each(CONTEXTS)('_TestAtExit, %s context', (context) => {
  it('test_atexit: the handler also runs when the target exits with a code or throws, and sees that code', {
    timeout: 30_000,
  }, async () => {
    const exited = freshPath('atexit-exit');
    const p = start(context, tasks.writeFileAtExitThenExit, [exited, 3]);
    await p.join(20_000);
    expect(p.exitCode).toBe(3);
    expect(readFileSync(exited, 'utf8')).toBe('deadbeef 3');

    const threw = freshPath('atexit-throw');
    const q = start(context, tasks.writeFileAtExitThenThrow, [threw]);
    await q.join(20_000);
    expect(q.exitCode).toBe(1); // Python: an exception in the target gives exit code 1
    expect(readFileSync(threw, 'utf8')).toBe('deadbeef 1');
  });

  it('test_atexit in pool workers: after close() and join() every worker that started ran its handler', {
    timeout: 30_000,
  }, async () => {
    for (const maxTasksPerChild of [undefined, 1]) {
      const workers = mkdtempSync(join(dir, 'pool-'));
      const p = pool({
        processes: 2,
        context,
        initializer: tasks.noteStartAndExit,
        initargs: [workers],
        maxTasksPerChild,
      });
      expect(await p.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 4, 9, 16]);
      p.close();
      await p.join();
      const names = readdirSync(workers);
      const started = names.filter((n) => n.startsWith('start-')).map((n) => n.slice(6));
      const ended = names.filter((n) => n.startsWith('exit-')).map((n) => n.slice(5));
      expect(started.length).toBeGreaterThanOrEqual(maxTasksPerChild ? 4 : 1);
      expect(ended.sort()).toEqual(started.sort());
    }
  });
});

describe.each(CONTEXTS)('TestNoForkBomb, %s context', (context) => {
  it('test_noforkbomb: a Process started at a module’s top level fails in the worker: nothing printed, a non-zero exit', {
    timeout: 60_000,
  }, async () => {
    const { code, stdout, stderr } = await runProgram('cpython-port-51-fork-bomb.mjs', [context]);
    // Python: assert_python_failure, out == b'', b'RuntimeError' in err (ContextError here)
    expect(stdout).toBe('');
    expect(code).toBe(1);
    expect(stderr).toMatch(/ContextError: Cannot create a Process while this worker is importing/);
    expect(stderr).toContain('isMain()');
  });
});

describe('TestStartMethod', () => {
  it('test_mixed_startmethod: a queue of either context works in a Process of either context', {
    timeout: 60_000,
  }, async () => {
    for (const queueContext of ['thread', 'process'] as const) {
      for (const processContext of ['thread', 'process'] as const) {
        const q = getContext(queueContext).Queue<string>();
        closeAfterTest(q);
        const p = new (getContext(processContext).Process)({
          target: tasks.putAndClose,
          args: [q, `${queueContext} queue, ${processContext} process`],
        });
        killAfterTest(p);
        p.start();
        expect(await q.get({ timeout: 20_000 })).toBe(`${queueContext} queue, ${processContext} process`);
        await p.join(20_000);
        expect(p.exitCode).toBe(0);
      }
    }
  });

  it('test_mixed_startmethod: a lock that cannot reach the other context fails start() (Python: RuntimeError)', () => {
    // Python's fork-context SemLock given to a spawn Process; here the thread context's Lock, which
    // lives in shared memory, given to a child process: ContextError naming the argument.
    const lock = new Lock();
    const p = new (getContext('process').Process)({ target: tasks.putAndClose, args: [lock, 'x'] });
    killAfterTest(p);
    expect(() => p.start()).toThrow(ContextError);
    expect(() => p.start()).toThrow(/args\[0\]/);
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(false);
  });
});

describe.each(CONTEXTS)('_TestQueue, %s context', (context) => {
  it('test_queue_feeder_on_queue_feeder_error: a value the queue cannot send fails that put; the queue still works', {
    timeout: 30_000,
  }, async () => {
    // Python: the feeder thread calls _on_queue_feeder_error and the queue goes on; here the put
    // itself rejects with SerializationError naming the bad part, and nothing of it is delivered.
    const q = getContext(context).Queue<unknown>();
    closeAfterTest(q);
    const bad = { ok: 1, bad: () => 1 };
    await expect(q.put(bad)).rejects.toBeInstanceOf(SerializationError);
    await expect(q.put(bad)).rejects.toThrow(/value\.bad/);
    expect(() => q.putNowait(Symbol('not sendable'))).toThrow(SerializationError);
    await q.put(true);
    expect(await q.get({ timeout: 20_000 })).toBe(true);
    expect(q.empty()).toBe(true);
  });

  it('test_queue_feeder_on_queue_feeder_error, from a worker: the worker sees the error and goes on', {
    timeout: 30_000,
  }, async () => {
    const q = getContext(context).Queue<unknown>();
    closeAfterTest(q);
    const p = start(context, tasks.putUnsendable, [q]);
    expect(await q.get({ timeout: 20_000 })).toMatch(/^SerializationError: .*value\.bad/);
    expect(await q.get({ timeout: 20_000 })).toBe(true);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(mp.activeChildren()).not.toContain(p);
  });
});

// CPython's Lib/test/test_concurrent_futures, on this library's Pool: ProcessPoolExecutor's
// submit() is applyAsync()/apply(), shutdown(wait=True) is close() then join(), a broken pool
// (BrokenProcessPool) is the contract's WorkerCrashedError for the call that was running, after
// which the pool goes on with a new worker.

/** The pids of the workers that ran `ids` (`pid/threadId` strings), for the process context. */
const pidsOf = (ids: string[]) => [...new Set(ids.map((id) => Number(id.split('/')[0])))];

/** Whether a process of this pid still exists. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(CONTEXTS)('ProcessPoolExecutorTest, %s context', (context) => {
  it('test_map_chunksize: chunksize 6, 50 and 40 give the same 40 results; -1 is refused (Python: ValueError)', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const args = range(40).map((i) => [i, i] as [number, number]);
    const ref = args.map(([x, y]) => x ** y);
    for (const chunksize of [6, 50, 40]) expect(await p.starmap(tasks.pow, args, { chunksize })).toEqual(ref);
    await expect(p.starmap(tasks.pow, args, { chunksize: -1 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('test_saturation: of 15 × processes calls that block, processes run at once, in as many workers', {
    timeout: 30_000,
  }, async () => {
    const ctx = getContext(context);
    const sem = ctx.Semaphore(0);
    const started = ctx.Queue<string>();
    closeAfterTest(started);
    const p = pool({ processes: 2, context });
    const calls = range(30).map(() => p.apply(tasks.workerThenAcquire, [started, sem]));
    const running = [await started.get({ timeout: 20_000 }), await started.get({ timeout: 20_000 })];
    expect(new Set(running).size).toBe(2);
    await expect(started.get({ timeout: 300 })).rejects.toBeInstanceOf(QueueEmptyError); // no third
    for (let i = 0; i < 30; i++) await sem.release();
    expect(new Set(await Promise.all(calls))).toEqual(new Set(running));
  });

  it('test_max_tasks_per_child: one worker runs three calls, then a new one runs the fourth', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context, maxTasksPerChild: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await p.apply(tasks.worker, []));
    expect(ids.slice(0, 3)).toEqual([ids[0], ids[0], ids[0]]);
    expect(ids[3]).not.toBe(ids[0]);
  });

  it('test_max_tasks_early_shutdown: six calls on three one-task workers, close() at once: every result', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 3, context, maxTasksPerChild: 1 });
    const results = range(6).map((i) => p.applyAsync(tasks.pow, [i, 2]));
    p.close();
    await p.join();
    expect(await Promise.all(results.map((r) => r.get(1_000)))).toEqual(range(6).map((i) => i * i));
  });

  it('ExecutorTest.test_map_timeout: map() with a timeout rejects with TimeoutError; the pool goes on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    expect(await p.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]); // workers up: the timeout is the calls'
    await expect(
      p.starmap(
        tasks.sleepThenReturn,
        [
          [10_000, 1],
          [10_000, 2],
        ],
        { timeout: 300 },
      ),
    ).rejects.toBeInstanceOf(mp.TimeoutError);
    expect(await p.map(tasks.square, [4])).toEqual([16]);
  });

  it('ExecutorShutdownTest.test_hang_issue12364 / test_shutdown_no_wait: calls still running at close() complete', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const calls = range(3).map((i) => p.apply(tasks.sleepThenReturn, [200, i]));
    p.close(); // Python: shutdown(wait=False); the results arrive all the same
    expect(await Promise.all(calls)).toEqual([0, 1, 2]);
    await p.join();
  });

  it('ExecutorShutdownTest.test_cancel_futures: terminate() rejects the calls not yet done with PoolClosedError', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const calls = range(4).map((i) => p.apply(tasks.sleepThenReturn, [i === 0 ? 100 : 10_000, i]));
    expect(await calls[0]).toBe(0);
    await p.terminate();
    for (const call of calls.slice(1)) await expect(call).rejects.toBeInstanceOf(PoolClosedError);
  });
});

describe.each(CONTEXTS)('ExecutorShutdownTest programs, %s context', (context) => {
  it.each(['open', 'closed'])(
    'test_interpreter_shutdown / test_hang_gh83386: a program that ends with a call pending (pool %s) runs it, then exits 0',
    { timeout: 60_000 },
    async (mode) => {
      const { code, stdout, stderr } = await runProgram('cpython-port-51-shutdown.mjs', [mode, context]);
      expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: 'apple', stderr: '' });
    },
  );

  it('test_hang_gh94440: a call aborted right before close() does not hang join()', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(tasks.id, [0])).toBe('number');
    const aborted = new AbortController();
    const call = p.apply(tasks.id, [1], { signal: aborted.signal });
    const failed = expect(call).rejects.toMatchObject({ name: 'AbortError' });
    aborted.abort(); // Python: executor.submit(int).cancel()
    p.close();
    await p.join();
    await failed;
  });
});

describe('ProcessPoolShutdownTest and ProcessPoolExecutorTest.test_killed_child, process context', () => {
  it('test_processes_terminate: once join() after close() resolves, every worker process has exited', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 3, context: 'process' });
    const pids = pidsOf(await Promise.all(range(6).map(() => p.apply(tasks.worker, []))));
    expect(pids.length).toBeGreaterThan(0);
    p.close();
    await p.join();
    expect(pids.filter(exists)).toEqual([]);
  });

  it('test_context_manager_shutdown: leaving `await using` ends every worker process', {
    timeout: 30_000,
  }, async () => {
    let pids: number[];
    {
      await using p = new mp.Pool({ processes: 2, context: 'process' });
      pids = pidsOf(await Promise.all([p.apply(tasks.worker, []), p.apply(tasks.worker, [])]));
    }
    expect(pids.filter(exists)).toEqual([]);
  });

  it('test_killed_child: a worker killed mid-task rejects that call with WorkerCrashedError; later calls run', {
    timeout: 30_000,
  }, async () => {
    // Python: the whole pool is broken (BrokenProcessPool for every call and later submits); the
    // contract rejects only the call that was running and replaces the worker.
    const q = getContext('process').Queue<number>();
    closeAfterTest(q);
    const p = pool({ processes: 2, context: 'process' });
    const call = p.apply(tasks.putPidThenSleep, [q, 30_000]);
    const pid = await q.get({ timeout: 20_000 });
    process.kill(pid, 'SIGTERM');
    const err = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as WorkerCrashedError).signal).toBe('SIGTERM');
    expect(await p.apply(tasks.pow, [2, 8])).toBe(256);
  });
});

describe.each(CONTEXTS)('ExecutorDeadlockTest, %s context', (context) => {
  /**
   * Python's `_check_crash`: a new pool of two runs the one call, which must fail with `error`
   * (and not hang); then, unlike Python's broken pool, the pool still runs a call, and its close()
   * and join() end.
   */
  async function checkCrash(error: new (...args: never[]) => Error, task: TaskRef, args: unknown[]) {
    const p = pool({ processes: 2, context });
    await expect(p.apply(task, args as never)).rejects.toBeInstanceOf(error);
    expect(await p.apply(tasks.id, [42])).toBe('number');
    p.close();
    await p.join();
  }

  it('test_error_at_task_pickle / test_error_at_task_unpickle: an argument that fails to encode or decode rejects its call', {
    timeout: 30_000,
  }, async () => {
    await checkCrash(SerializationError, tasks.id, [new ErrorAtEncode()]); // Python: PicklingError
    await checkCrash(SyntaxError, tasks.id, [new ErrorAtDecode()]); // Python: BrokenProcessPool
  });

  it('test_exit_at_task_unpickle / test_exit_during_func_exec_on_worker: WorkerCrashedError (Python: BrokenProcessPool, SystemExit)', {
    timeout: 30_000,
  }, async () => {
    await checkCrash(WorkerCrashedError, tasks.id, [new ExitAtDecode()]);
    await checkCrash(WorkerCrashedError, tasks.exit, []);
  });

  it('test_exit/error_during_result_pickle_on_worker: a result whose encoding exits or fails', {
    timeout: 30_000,
  }, async () => {
    await checkCrash(WorkerCrashedError, tasks.returnInstance, ['ExitAtEncode']); // Python: SystemExit
    await checkCrash(SerializationError, tasks.returnInstance, ['ErrorAtEncode']); // Python: PicklingError
  });

  it('test_error_during_result_unpickle_in_result_handler: a result that fails to decode rejects its call', {
    timeout: 30_000,
  }, async () => {
    await checkCrash(SyntaxError, tasks.returnInstance, ['ErrorAtDecode']); // Python: BrokenProcessPool
  });

  it('test_shutdown_deadlock_pickle: a call whose argument fails to encode, then close(): no hang', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    expect(await p.apply(tasks.id, [42])).toBe('number');
    const call = p.apply(tasks.id, [new ErrorAtEncode()]);
    p.close();
    await expect(call).rejects.toBeInstanceOf(SerializationError);
    await p.join();
  });
});

describe('ExecutorDeadlockTest, crashes of a child process', () => {
  const context = 'process';
  it('test_crash_at_task_unpickle / test_crash_during_func_exec_on_worker / test_crash_during_result_pickle_on_worker', {
    timeout: 60_000,
  }, async () => {
    for (const [task, args] of [
      [tasks.id, [new CrashAtDecode()]],
      [tasks.crash, [0]],
      [tasks.returnInstance, ['CrashAtEncode']],
    ] as [TaskRef, unknown[]][]) {
      const p = pool({ processes: 2, context });
      const err = await p.apply(task, args as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect((err as WorkerCrashedError).signal).toBe('SIGSEGV');
      expect(await p.apply(tasks.id, [42])).toBe('number');
      p.close();
      await p.join();
    }
  });

  it('test_shutdown_deadlock: a worker that crashes after close() fails its call; join() ends', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const call = p.apply(tasks.crash, [100]);
    const failed = expect(call).rejects.toBeInstanceOf(WorkerCrashedError);
    p.close();
    await p.join();
    await failed;
  });

  it('test_crash_big_data: workers that crash with 1 MiB arguments on the way fail the map; no hang', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const data = 'a'.repeat(1 << 20);
    await expect(p.map(tasks.crashWithData, Array(10).fill(data))).rejects.toBeInstanceOf(WorkerCrashedError);
    await p.terminate();
  });
});
