// Cases of CPython's Lib/test/_test_multiprocessing.py that no earlier port names (cpython-port-29,
// -39-*, -43, -45, -51, -52, -53, -54): TestCloseFds, TestNamedResource, TestStdinBadfiledescriptor's
// test_flushing and TestSyncManagerTypes' _test_list / _test_dict as CPython writes them now (the
// operators +=, *=, |= are the proxies' extend, imul, update); and of Lib/test/test_concurrent_futures,
// the process-pool cases no earlier port names: test_max_tasks_per_child_pending_tasks_gh115634,
// test_shutdown_no_wait_max_tasks_gh119592, test_force_shutdown_during_max_tasks_worker_exit,
// test_shutdown_gh_132969_case_1/2, test_shutdown_race_issue12456,
// test_traceback_when_child_process_terminates_abruptly, test_force_shutdown_workers_dead_workers,
// ExecutorShutdownTest.test_cancel_futures_wait_false and test_broken_process_pool_traceback (also
// for the waits of queues and pipes), on this library's Pool: close() is shutdown(wait=False),
// terminate() is terminate_workers(). Ported to this API (camelCase, Promises, milliseconds), both
// contexts where Python runs them with processes; where the contract differs from Python, the case
// asserts the documented behaviour and says so.
//
// Not ported (nothing in this API to port them to): _TestProcess's forkserver cases (no
// forkserver), Queue.shutdown() (test_shutdown_*: not in the contract), test_large_fd_transfer (no
// fd passing), _TestFinalize (no util.Finalize; process.on('exit') is the hook, cpython-port-51),
// _TestImportStar (no submodules: test/exports.test.ts checks each entry's names),
// _TestLogging (no logger), TestInvalidHandle (a Connection is not made from a descriptor),
// ChallengeResponseTest (the handshake's helpers are not public; cpython-port-39-connection runs the
// handshake), TestWait.test_wait_socket_slow (wait() takes no sockets), TestPoolNotLeakOnFailure
// (a Pool takes no Process class), TestSyncManagerTypes.test_set* (no manager set()),
// _TestSpawnedSysPath (Node's module resolution is no list a program edits at run time; a worker
// starts with the program's flags, cwd and env), MiscTestCase.test_spawn_sys_executable_none_*
// (no executable to set), TestResourceTracker and SemLockTests (no named semaphores, no tracker);
// of test_concurrent_futures: test_submit_keyword (no keyword arguments: args is an array),
// test_python_finalization_error and test_sysconf_permission_error (no thread creation or sysconf to
// fail), test_failed_worker_replacement_breaks_pool (a worker's start cannot be made to fail
// through the public API), the drop_reference forms of gh119592 / gh152967 (a pool with pending
// calls is reachable from them: it is never collected), and test_idle_process_reuse_* (see
// cpython-port-51).
//
// Fault found (its own tests, in CI: packages/shared/test/caller-frames.test.ts and
// packages/ipc/test/wait-caller-stack.test.ts): a get() or recv() that waited and failed
// (QueueEmptyError at its timeout, EOFError, ClosedError) showed the awaiting code's frames twice,
// in the error's own stack (V8's async trace: the error is made in a continuation of the awaited
// promise) and again below 'Where the get() was awaited:'. CPython's
// test_broken_process_pool_traceback asks that the test's file appear once; now those frames
// appear once, below the header. Likewise a pool call refused at once (a closed pool) showed them
// twice: in its own stack, where the call was made, and again below 'Where the pool call was
// awaited:'; now nothing is added to an error that already names the line that awaits it.
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Manager, Pipe, PoolClosedError, Queue, WorkerCrashedError } from '@multiproc/multiproc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids } from '../../../apps/reliability/src/resources.ts';
import {
  CONTEXTS,
  poolsEndedAfterEach,
  processesKilledAfterEach,
  queuesClosedAfterEach,
  range,
} from './cpython-kit.ts';
import { tasks } from './fixtures/cpython-port-56-tasks.mjs';
import { runProgram } from './report-helpers.ts';

const { closeAfterTest } = queuesClosedAfterEach();
const pool = poolsEndedAfterEach();
// registered last: the Processes are killed before the pools end and the queues close
const { start } = processesKilledAfterEach();

const LONG = 20_000;

/** A Queue closed after the test. */
function queue<T>(): Queue<T> {
  const q = new Queue<T>();
  closeAfterTest(q);
  return q;
}

describe.each(CONTEXTS)('TestCloseFds (%s)', (context) => {
  /** Python's get_high_socket_fd(): a descriptor numbered 50 or more, which a fresh child would not have. */
  function highDescriptor(): number {
    const low: number[] = [];
    let fd = openSync(tmpdir(), 'r');
    while (fd < 50) {
      low.push(fd);
      fd = openSync(tmpdir(), 'r');
    }
    for (const each of low) closeSync(each);
    return fd;
  }

  it('test_closefd: a descriptor this program opened is not open in a child process (a thread shares it, as fork)', {
    timeout: 30_000,
  }, async () => {
    const fd = highDescriptor();
    try {
      // Python: the child answers on a pipe; fork inherits the descriptor (None), spawn does not (EBADF)
      const [reader, writer] = Pipe<string>();
      const p = start(context, tasks.closefds, [writer, fd]);
      writer.close();
      expect(await reader.recv()).toBe(context === 'thread' ? 'open' : 'EBADF');
      await p.join(LONG);
      expect(p.exitCode).toBe(0);
      reader.close();
      // and a pool's workers, which start the same way
      expect(await pool({ processes: 1, context }).apply(tasks.fdStatus, [fd])).toBe(
        context === 'thread' ? 'open' : 'EBADF',
      );
    } finally {
      closeSync(fd);
    }
  });
});

describe.each(CONTEXTS)('TestNamedResource (%s)', (context) => {
  it.each(['semaphore', 'lock', 'queue', 'pipe'])(
    'test_global_named_resource_spawn: a %s made at the main module’s top level, which the worker makes again: exit 0, nothing on stderr',
    {
      timeout: 60_000,
    },
    async (kind) => {
      const { code, stdout, stderr } = await runProgram('cpython-port-56-named-resource.mjs', [
        context,
        kind,
      ]);
      expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: '0\n', stderr: '' });
    },
  );
});

describe.each(CONTEXTS)('TestStdinBadfiledescriptor (%s)', (context) => {
  it('test_flushing: a Process made and never started writes nothing and keeps nothing alive: the program ends by itself', {
    timeout: 30_000,
  }, async () => {
    const { code, stdout, stderr } = await runProgram('cpython-port-56-unstarted.mjs', [context]);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'foobar', stderr: '' });
  });
});

describe.each(CONTEXTS)('TestSyncManagerTypes as CPython writes it now (%s)', (context) => {
  let manager: ReturnType<typeof Manager>;
  beforeAll(() => {
    manager = Manager();
  });
  afterAll(async () => {
    await manager.shutdown();
  });

  /** Python's `run_worker`: the target runs in a Process that must end with exit code 0. */
  async function runWorker(
    target: (typeof tasks)['managerList' | 'managerDict'],
    obj: unknown,
  ): Promise<void> {
    const p = start(context, target, [obj]);
    await p.join(LONG);
    expect(p.exitCode).toBe(0);
  }

  it('test_list: +=, *=, * 2, copy(), extend, sort, reverse, iteration, pop(0) and clear() in the worker', {
    timeout: 60_000,
  }, async () => {
    const o = manager.list<number>();
    await o.append(5);
    await runWorker(tasks.managerList, o);
    expect(await o.len()).toBe(0);
  });

  it('test_dict: |=, reversed(), popitem, setdefault, update, pop and clear() in the worker', {
    timeout: 60_000,
  }, async () => {
    const o = manager.dict<string, number>();
    await o.set('foo', 5);
    await runWorker(tasks.managerDict, o);
    expect(await o.len()).toBe(0);
  });
});

describe.each(CONTEXTS)('ProcessPoolExecutorTest and ProcessPoolShutdownTest (%s)', (context) => {
  it('test_max_tasks_per_child_pending_tasks_gh115634: a backlog while workers reach maxTasksPerChild all completes, in order', {
    timeout: 60_000,
  }, async () => {
    for (const [processes, maxTasksPerChild, n] of [
      [1, 2, 6],
      [2, 2, 8],
    ] as const) {
      const p = pool({ processes, maxTasksPerChild, context });
      const results = range(n).map((i) => p.applyAsync(tasks.mul, [i, 2]));
      expect(await Promise.all(results.map((r) => r.get(LONG)))).toEqual(range(n).map((i) => i * 2));
      p.close();
      await p.join();
    }
  });

  it('test_shutdown_no_wait_max_tasks_gh119592: close() while the one worker runs its last task: the queued calls still run', {
    timeout: 60_000,
  }, async () => {
    const [started, gate] = [queue<number>(), queue<string>()];
    const p = pool({ processes: 1, maxTasksPerChild: 1, context });
    const futs = range(3).map((i) => p.applyAsync(tasks.reportWaitReturn, [started, gate, i]));
    expect(await started.get({ timeout: LONG })).toBe(0);
    p.close(); // Python: shutdown(wait=False)
    for (const _ of range(3)) await gate.put('go');
    expect(await Promise.all(futs.map((f) => f.get(LONG)))).toEqual([0, 1, 2]);
    await p.join();
  });

  it('test_force_shutdown_during_max_tasks_worker_exit: terminate() as the worker ends at its limit: the queued calls reject, no worker is left', {
    timeout: 60_000,
  }, async () => {
    const before = childPids();
    const [started, gate] = [queue<number>(), queue<string>()];
    const p = pool({ processes: 1, maxTasksPerChild: 1, context });
    const futs = range(3).map((i) => p.applyAsync(tasks.reportWaitReturn, [started, gate, i]));
    expect(await started.get({ timeout: LONG })).toBe(0);
    // the first call's answer arrives while its worker ends at its limit: terminate() right then
    const terminated = futs[0]!.then(() => p.terminate());
    await gate.put('go');
    expect(await futs[0]!.get(LONG)).toBe(0);
    await terminated;
    for (const f of futs.slice(1)) await expect(f.get(LONG)).rejects.toBeInstanceOf(PoolClosedError);
    // Python: the replacement would escape the kill; here every worker this pool started has ended
    if (context === 'process') expect(childPids().filter((pid) => !before.includes(pid))).toEqual([]);
  });

  it.each([2, 4])(
    'test_shutdown_gh_132969 with %i workers of one task each: good, failing, good; close() after the failure: join() ends',
    {
      timeout: 60_000,
    },
    async (processes) => {
      const p = pool({ processes, maxTasksPerChild: 1, context });
      const f1 = p.applyAsync(tasks.good, [1]);
      const f2 = p.applyAsync(tasks.failing, [2]);
      const f3 = p.applyAsync(tasks.good, [3]);
      let result = 0;
      try {
        result += await f1;
        result += await f2;
        result += await f3;
      } catch (err) {
        expect(err).toMatchObject({ name: 'RangeError', message: 'failing task 2' }); // Python: ValueError
      }
      expect(result).toBe(1);
      p.close(); // Python: shutdown(wait=False), then the manager thread is joined
      await p.join();
      expect(await f3.get(0)).toBe(3);
    },
  );

  it('test_shutdown_race_issue12456: mapAsync of one item more than workers, close() and join() at once: the map completes', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const r = p.mapAsync(tasks.good, [2, 2, 2]);
    p.close();
    await p.join();
    expect(await r.get(0)).toEqual([2, 2, 2]);
  });

  it('test_traceback_when_child_process_terminates_abruptly: a worker ended with exit code 99 rejects its call saying so', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await p.apply(tasks.exitWith, [99]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerCrashedError); // Python: BrokenProcessPool
    expect(err).toMatchObject({ exitCode: 99 });
    expect((err as Error).message).toContain('99');
  });

  it('test_force_shutdown_workers_dead_workers: terminate() after a worker died mid-call resolves; the pool refuses calls', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await expect(p.apply(tasks.exitWith, [1])).rejects.toBeInstanceOf(WorkerCrashedError);
    await p.terminate(); // Python: terminate_workers() / kill_workers() do not raise
    const refused = await callsAndAwaits(() => p.apply(tasks.good, [0]));
    expect(refused).toBeInstanceOf(PoolClosedError); // Python: RuntimeError
    // refused at once, inside the call: the calling and awaiting function appears once in the stack
    expect(refused.stack!.split('callsAndAwaits (').length - 1, refused.stack).toBe(1);
  });

  it('test_broken_process_pool_traceback: each call terminate() fails gets an error of its own, with its caller’s frames once', {
    timeout: 60_000,
  }, async () => {
    const gate = queue<string>();
    const p = pool({ processes: 1, context });
    const futs = range(3).map(() => p.applyAsync(tasks.waitToken, [gate]));
    await p.terminate();
    const errors: Error[] = [];
    for (const f of futs) {
      // awaited twice, as Python's result() twice: the second must not add the caller's frames again
      for (const _ of range(2)) {
        const err = await awaitedHere(f);
        expect(err).toBeInstanceOf(PoolClosedError);
        errors.push(err);
      }
    }
    expect(new Set(errors).size).toBe(3);
    for (const err of errors) expect(err.stack!.split('awaitedHere (').length - 1, err.stack).toBe(1);
  });
});

describe.each(CONTEXTS)('ExecutorShutdownTest programs (%s)', (context) => {
  it('test_cancel_futures_wait_false: a program that terminates its pool without awaiting it, a call pending, exits 0 by itself', {
    timeout: 60_000,
  }, async () => {
    const { code, stdout, stderr } = await runProgram('cpython-port-56-cancel.mjs', [context]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(['apple', '']).toContain(stdout.trim()); // gh-116682: the call may not have run
  });
});

describe.each(CONTEXTS)(
  'test_broken_process_pool_traceback for the waits of queues and pipes (%s)',
  (context) => {
    it('a recv() whose peer in a worker closed, and a get() that timed out: the awaiting function appears once in the stack', {
      timeout: 30_000,
    }, async () => {
      const [reader, writer] = Pipe<string>();
      const p = start(context, tasks.closefds, [writer, -1]); // sends one value, then closes its end
      writer.close();
      await reader.recv();
      const eof = await awaitedHere(reader.recv());
      expect(eof).toMatchObject({ name: 'EOFError' });
      const empty = await awaitedHere(queue<number>().get({ timeout: 50 }));
      expect(empty).toMatchObject({ name: 'QueueEmptyError' });
      for (const err of [eof, empty]) {
        // Python: the test's file appears exactly once in the traceback
        expect(err.stack!.split('awaitedHere (').length - 1, err.stack).toBe(1);
      }
      await p.join(LONG);
      reader.close();
    });
  },
);

/** What the call `call` makes rejects with, made and awaited here; its name marks this frame. */
async function callsAndAwaits(call: () => PromiseLike<unknown>): Promise<Error> {
  try {
    await call();
  } catch (err) {
    return err as Error;
  }
  throw new Error('resolved, expected a rejection');
}

/** What awaiting `r` rejects with; its name marks the caller's frame in a stack. */
async function awaitedHere(r: PromiseLike<unknown>): Promise<Error> {
  try {
    await r;
  } catch (err) {
    return err as Error;
  }
  throw new Error('resolved, expected a rejection');
}
