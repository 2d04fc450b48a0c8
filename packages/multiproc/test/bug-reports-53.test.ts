// Public bug reports of Node's worker pools (piscina, tinypool, workerpool, threads.js,
// node-worker-threads-pool, graphile-worker and others' own pools, Node's worker_threads and
// child_process) and of Python's multiprocessing and its relatives (celery/billiard, pebble, loky)
// that the earlier report files do not cover. Each case names its report, says in a line what went
// wrong there, and asserts what the contract (or, where it is silent, Python's fixed behaviour) says
// must happen instead, against real threads and child processes. Like the other report files it
// runs in the full tier (`MULTIPROC_TESTS=full`, both contexts; see vitest.config.ts).
//
// Reports covered here:
// - piscinajs/piscina#344: a worker that called process.exit() between tasks was never replaced.
// - piscinajs/piscina#805: aborting a queued call, then the running one, left the next call unstarted.
// - graphile/worker#592: every worker dying at once left the pool wedged with no workers.
// - chrisbenincasa/tunarr#2090: a call that timed out in a busy loop kept its worker; the calls
//   queued behind it never settled.
// - SUCHMOKUO/node-worker-threads-pool#13: after a timeout the pool ran one worker short (stuck at size 1).
// - SUCHMOKUO/node-worker-threads-pool#27: a timed-out task's setInterval kept running in the worker.
// - josdejong/workerpool#548: a call submitted right after another was cancelled was killed by the
//   cancelled call's delayed termination.
// - celery/celery#1310: with max tasks per child 1, the second large argument went to the retired worker; hang.
// - celery/celery#4321: a worker with a max-tasks-per-child limit hung at the limit.
// - python/cpython#105829: a process pool deadlocked when many tasks were submitted at once.
// - noxdafox/pebble#147, vmware-archive/runtimes#48: large results made the pool's join hang.
// - graphql-hive/console#6754: after a worker's uncaught exception, later calls to it hung.
// - wix-incubator/haste#162: a task whose worker threw from a timer mid-task never settled.
// - josdejong/workerpool#356, nodejs/node#33834: an unhandled rejection in a worker went unnoticed.
// - noxdafox/pebble#31 and #76: a pool worker could not start processes of its own ("daemonic").
// - nodejs/node#41673: process.chdir() in a worker thread throws; the error must reach the caller.
// - oven-sh/bun#38447: terminate() could not stop a worker blocked in Atomics.wait().
// - python/cpython#123899: a Barrier did not return when a waiting process was killed; its timeout was ignored.
// - python/cpython#95826: Event.wait() with a long timeout missed a heartbeat that set and cleared the event.
// - mdavis-xyz/lambda_multiprocessing#17: both ends sending more than a pipe buffer at once deadlocked.
// - replicate/cog#756, DrA1ex/ff5m#70, domainaware/parsedmarc#508: a child whose result exceeded the
//   pipe buffer never ended while the parent joined it before reading.
// - nodejs/node#22762: messages sent just before a MessagePort closed could be lost.
// - nodejs/node#42296: a MessagePort still delivered what was sent after its close().
// - nodejs/node#56362: posting a closed MessagePort aborted the process.
// - entropitor/dotenv-cli#60, earendil-works/pi#8992, nodejs/node#11284: a child killed by a signal
//   was reported as exit code 0 (or null).
// - josdejong/workerpool#429: a worker's process.exitCode was lost (process.exit() was forced).
// - uber/fiber#28: a pool worker that ended normally reported exit code 1.
// - python/cpython#132634: a program that filled a Queue and then raised did not exit.
// - avocado-framework/avocado#289: an item put just before the child died was lost.
// - python/cpython#79423: putting an unsendable value left the queue broken and the error silent.
// - jonatanjacobsson/ifcpipeline#28: a parent that joined before draining a 262 KB result hung.
// - coleifer/huey#897: join() on a process that already ended must return at once.
// - Rikorose/DeepFilterNet#245, ipython/ipython#8554: JoinableQueue.join() hung when a consumer skipped
//   taskDone(), and must resolve when every item got its taskDone().
// - nodejs/node#32752: after a worker transferred a Buffer out, it could not make Buffers any more.
// - andywer/threads.js#385, nodejs/node#33240: a buffer sent to a worker was left detached (empty)
//   in the caller.
// - Princeton-Robot-Planning-and-Learning/prpl-tidybot#89: a client that dropped mid-handshake
//   wedged Listener.accept() for the clients after it.
// - python/cpython#123736: Client() with an authkey hung against a Listener without one.
// - piscinajs/piscina#316: work a task left running after it returned waited for the next call.
// - pierrecomputer/pierre#1076: a worker whose module failed to load left its calls hanging.
// - joblib/loky#129, spotify/luigi#1191: terminating a worker left its own child processes running.
// - python/cpython#80180: a child Process stayed alive after its parent was sent SIGTERM.
// - nodejs/node#41103, #53011, sidorares/react-x11#600: a program started with flags a Worker
//   refuses as execArgv (--expose-gc, --title, heap sizes) could not start its workers.
// - python/cpython#91594, #73983: a child that put 10000 items, of which the parent took one,
//   kept the program from ending.
// - coopernurse/node-pool#102, logto-io/logto#9346, node-cron/node-cron#599: an idle pool kept the
//   program alive (idle timer, a worker's port, a child's IPC channel).
// - bcoin-org/bcoin#704: unref'd workers let the program exit before a pending call answered.
// - nodejs/node#40961: of the lines a worker logged before process.exit(), only the first appeared.
// - nodejs/node#53701: lines a busy worker logged were held back until it stopped.
// - LearnBoost/cluster#172, webpack/thread-loader#86, oven-sh/bun#39677: workers did not start in
//   the parent's current directory and environment.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  AuthenticationError,
  Barrier,
  BrokenBarrierError,
  Client,
  ClosedError,
  defineTasks,
  EOFError,
  Event,
  JoinableQueue,
  Listener,
  Lock,
  Pipe,
  Process,
  Queue,
  TimeoutError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/bugs-53-tasks.mjs';
import {
  alive,
  eventually,
  readWhenWritten,
  rejection,
  reportSuite,
  runProgram,
  sleep,
  within,
} from './report-helpers.ts';

const { CONTEXTS, pool, scratchFile } = reportSuite(import.meta.url, 'bugs-53-');

/**
 * The pid a task wrote to `file`, once the whole of it is there (the file exists before its bytes
 * do); fails after `ms` milliseconds.
 */
function pidIn(file: string, ms?: number): Promise<number> {
  return readWhenWritten(file, (text) => (Number(text) > 0 ? Number(text) : undefined), 'no pid', ms);
}

/** A file's size in bytes (0 when it does not exist yet). */
function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

describe.each(CONTEXTS)('bug reports (53), pools, %s context', (context) => {
  it('piscina#344: a worker that exits between tasks is replaced; the next five calls resolve', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.exitSoonAfter, ['first', 20])).toBe('first');
    await sleep(300);
    const results = await within(Promise.all([1, 2, 3, 4, 5].map((x) => p.apply(t.add, [x, 1]))), 15_000);
    expect(results).toEqual([2, 3, 4, 5, 6]);
  });

  it('piscina#805: abort the second queued call, then the running first: the third still runs', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const [c1, c2, c3] = [new AbortController(), new AbortController(), new AbortController()];
    const first = p.apply(t.sleep, [10_000], { signal: c1.signal });
    const second = p.apply(t.sleep, [10_000], { signal: c2.signal });
    const third = p.apply(t.identity, ['third ran'], { signal: c3.signal });
    await sleep(300);
    c2.abort();
    c1.abort();
    expect((await rejection(second)).name).toBe('AbortError');
    expect((await rejection(first)).name).toBe('AbortError');
    expect(await within(third, 15_000)).toBe('third ran');
  });

  it('graphile/worker#592: both workers die at the same time; four later calls all resolve', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    await p.map(t.identity, [1, 2], { chunksize: 1 });
    const crashes = await Promise.all([
      rejection(p.apply(t.exitNow, [4])),
      rejection(p.apply(t.exitNow, [5])),
    ]);
    for (const err of crashes) expect(err).toBeInstanceOf(WorkerCrashedError);
    const results = await within(Promise.all([1, 2, 3, 4].map((x) => p.apply(t.add, [x, 100]))), 15_000);
    expect(results).toEqual([101, 102, 103, 104]);
  });

  it('tunarr#2090: a call that times out in a busy loop frees its worker; the call queued behind it resolves', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const stuck = p.apply(t.spinForever, [], { timeout: 500 });
    const behind = p.apply(t.identity, ['behind']);
    expect(await rejection(stuck)).toBeInstanceOf(TimeoutError);
    expect(await within(behind, 15_000)).toBe('behind');
  });

  it('node-worker-threads-pool#13: after a timeout a pool of one still runs three calls at the same time as before', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await rejection(p.apply(t.sleep, [10_000], { timeout: 300 }))).toBeInstanceOf(TimeoutError);
    const results = await within(Promise.all([1, 2, 3].map((x) => p.apply(t.add, [x, x]))), 15_000);
    expect(results).toEqual([2, 4, 6]);
  });

  it("node-worker-threads-pool#27: a timed-out task's setInterval stops with it", {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = scratchFile();
    await p.apply(t.identity, ['started']); // the timeout counts from the call: start the worker first
    expect(await rejection(p.apply(t.tickForever, [file], { timeout: 800 }))).toBeInstanceOf(TimeoutError);
    expect(size(file)).toBeGreaterThan(0);
    await sleep(500);
    const after = size(file);
    await sleep(500);
    expect(size(file)).toBe(after);
  });

  it('workerpool#548: a call submitted right after aborting the running one resolves, not killed by that abort', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const controller = new AbortController();
    const running = p.apply(t.sleep, [10_000], { signal: controller.signal });
    await sleep(300);
    controller.abort();
    const next = p.apply(t.sleep, [400]);
    expect((await rejection(running)).name).toBe('AbortError');
    expect(await within(next, 15_000)).toBe(400);
  });

  it('celery#1310: maxTasksPerChild 1 and two 8 MB arguments: both calls resolve, each on its own worker', {
    timeout: 40_000,
  }, async () => {
    const p = pool({ processes: 1, context, maxTasksPerChild: 1 });
    const big = 'A'.repeat(8 * 1024 * 1024);
    const results = await within(Promise.all([p.apply(t.length, [big]), p.apply(t.length, [big])]), 30_000);
    expect(results).toEqual([big.length, big.length]);
  });

  it('celery#4321: maxTasksPerChild 25 and 60 calls on one worker: all resolve, no worker runs more than 25', {
    timeout: 40_000,
  }, async () => {
    const p = pool({ processes: 1, context, maxTasksPerChild: 25 });
    const where = await within(Promise.all(Array.from({ length: 60 }, () => p.apply(t.where, []))), 30_000);
    expect(where).toHaveLength(60);
    const counts = new Map<string, number>();
    for (const w of where as string[]) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect(counts.size).toBeGreaterThanOrEqual(3);
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(25);
  });

  it('cpython#105829: 2000 applyAsync calls submitted at once all resolve, each with its own value', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const results = Array.from({ length: 2000 }, (_, i) => p.applyAsync(t.add, [i, 1]));
    const values = await within(Promise.all(results.map((r) => r.get())), 50_000);
    expect(values).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
  });

  it('pebble#147 / runtimes#48: map with sixteen 1 MB results, then close() and join(): all arrive, join ends', {
    timeout: 40_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const big = await p.starmap(
      t.repeat,
      Array.from({ length: 16 }, (_, i) => [String.fromCharCode(97 + i), 1024 * 1024] as [string, number]),
    );
    expect(big.map((s) => s.length)).toEqual(Array.from({ length: 16 }, () => 1024 * 1024));
    expect(big.map((s) => s[0])).toEqual(Array.from({ length: 16 }, (_, i) => String.fromCharCode(97 + i)));
    p.close();
    expect(await within(p.join(), 15_000)).toBeUndefined();
  });

  it("graphql-hive#6754: a worker's uncaught exception after its task returned: the call resolves, later calls too", {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.throwSoonAfter, ['returned', 20])).toBe('returned');
    await sleep(300);
    const results = await within(Promise.all([1, 2, 3].map((x) => p.apply(t.add, [x, 10]))), 15_000);
    expect(results).toEqual([11, 12, 13]);
  });

  it('haste#162: a task whose worker throws from a timer mid-task rejects with WorkerCrashedError; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await within(rejection(p.apply(t.throwFromTimerWhilePending, [])), 15_000);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });

  it('workerpool#356 / node#33834: an unhandled rejection in a task ends its worker: the call rejects at once', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const started = Date.now();
    const err = await within(rejection(p.apply(t.unhandledRejectionThenWait, [20_000])), 15_000);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await p.apply(t.add, [2, 2])).toBe(4);
  });

  it('node#32752: a worker returns Buffer.from() results four times in a row; each arrives, the worker still makes Buffers', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const texts: string[] = [];
    for (let i = 0; i < 4; i++)
      texts.push(Buffer.from(await p.apply(t.smallBuffer, [`hello ${i}`])).toString());
    expect(texts).toEqual(['hello 0', 'hello 1', 'hello 2', 'hello 3']);
  });

  it('threads.js#385 / node#33240: buffers given to calls are still whole in the caller afterwards', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const ab = new ArrayBuffer(64);
    const u8 = new Uint8Array(32).fill(7);
    const buf = Buffer.from('a pooled buffer');
    const lengths = await Promise.all([
      p.apply(t.byteLength, [ab]),
      p.apply(t.byteLength, [u8]),
      p.apply(t.byteLength, [u8]),
      p.apply(t.byteLength, [buf]),
    ]);
    expect(lengths).toEqual([64, 32, 32, 15]);
    expect([ab.byteLength, u8.byteLength, buf.toString()]).toEqual([64, 32, 'a pooled buffer']);
    expect(u8.every((x) => x === 7)).toBe(true);
  });

  it('piscina#316: a timer a task left behind runs on time, without waiting for the next call', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = scratchFile();
    expect(await p.apply(t.timerAfterReturn, [file])).toBe('returned');
    expect(await eventually(() => existsSync(file), 5000)).toBe(true);
  });

  it('pierre#1076: a task whose module is not there rejects naming the file; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const missing = defineTasks(new URL('./fixtures/bugs-53-no-such-module.mjs', import.meta.url).href, {
      f: () => 1,
    });
    const err = await within(rejection(p.apply(missing.f, [])), 15_000);
    expect((err as Error).message).toContain('bugs-53-no-such-module.mjs');
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });

  it.each(['terminate', 'abort'] as const)(
    'loky#129 / luigi#1191: a task running a process Pool of its own, stopped by %s: its grandchild ends too',
    {
      timeout: 40_000,
    },
    async (how) => {
      const p = pool({ processes: 1, context });
      const file = scratchFile();
      const controller = new AbortController();
      const call = p.apply(t.innerPoolLeaf, [file], { signal: controller.signal }).catch((e: Error) => e);
      const pid = await pidIn(file);
      expect(alive(pid)).toBe(true);
      if (how === 'terminate') await p.terminate();
      else controller.abort();
      expect(await call).toBeInstanceOf(Error);
      expect(await eventually(() => !alive(pid), 10_000)).toBe(true);
    },
  );

  it.each(['thread', 'process'] as const)(
    'pebble#31 / pebble#76: a pool task starts a %s Process of its own; it runs and ends with exit code 0',
    {
      timeout: 40_000,
    },
    async (inner) => {
      const p = pool({ processes: 1, context });
      const r = await p.apply(t.nestedProcess, [inner, 'from the grandchild']);
      expect(r.got).toBe('from the grandchild');
      expect(r.exitCode).toBe(0);
      if (inner === 'process') expect(r.childPid).not.toBe(r.pid);
    },
  );
});

describe('bug reports (53), pools, thread context only', () => {
  it('node#41673: process.chdir() in a thread task rejects with its TypeError; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'thread' });
    const err = await rejection(p.apply(t.chdir, [tmpdir()]));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/chdir/);
    expect((err as Error & { code?: string }).code).toBe('ERR_WORKER_UNSUPPORTED_OPERATION');
    expect(await p.apply(t.add, [1, 1])).toBe(2);
  });
});

describe('bug reports (53), shared memory in thread Processes', () => {
  it('bun#38447: terminate() stops a Process blocked in Lock.acquireSync(); exitCode is -15', {
    timeout: 20_000,
  }, async () => {
    const lock = new Lock();
    lock.acquireSync();
    const started = new Event();
    const p = new Process({ target: t.acquireSyncForever, args: [lock, started], context: 'thread' });
    p.start();
    expect(await started.wait(10_000)).toBe(true);
    await sleep(100);
    await within(p.terminate(), 10_000);
    await within(p.join(), 10_000);
    expect(p.exitCode).toBe(-15);
    lock.release();
  });

  it('cpython#123899: a party killed while waiting: wait(ms) of the others rejects with BrokenBarrierError', {
    timeout: 20_000,
  }, async () => {
    const barrier = new Barrier(3);
    const victim = new Process({ target: t.barrierWait, args: [barrier], context: 'thread' });
    const other = new Process({ target: t.barrierWait, args: [barrier], context: 'thread' });
    victim.start();
    other.start();
    expect(await eventually(() => barrier.nWaiting === 2, 10_000)).toBe(true);
    victim.kill();
    await victim.join(10_000);
    const started = Date.now();
    expect(await within(rejection(barrier.wait(800)), 10_000)).toBeInstanceOf(BrokenBarrierError);
    expect(Date.now() - started).toBeLessThan(5000);
    await within(other.join(), 10_000);
    expect(other.exitCode).toBe(1);
  });

  it('cpython#95826: Event.wait(long) sees a heartbeat that sets and clears the event every millisecond', {
    timeout: 20_000,
  }, async () => {
    const ev = new Event();
    const p = new Process({ target: t.heartbeat, args: [ev, 3000], context: 'thread' });
    p.start();
    for (let i = 0; i < 5; i++) expect(await within(ev.wait(10_000), 12_000)).toBe(true);
    await p.terminate();
  });
});

describe.each(CONTEXTS)('bug reports (53), processes and connections, %s context', (context) => {
  it('lambda_multiprocessing#17: both ends send 1 MB at the same time, then receive: no deadlock', {
    timeout: 30_000,
  }, async () => {
    const [a, b] = Pipe();
    const child = new Process({ target: t.sendBigThenEcho, args: [b, 1024 * 1024], context });
    child.start();
    b.close();
    a.send('z'.repeat(1024 * 1024));
    const got = (await within(a.recv(), 15_000)) as string;
    expect(got.length).toBe(1024 * 1024);
    expect(await within(a.recv(), 15_000)).toBe(1024 * 1024);
    await child.join();
    expect(child.exitCode).toBe(0);
    a.close();
  });

  it('cog#756 / ff5m#70 / parsedmarc#508: join() before recv() of a 1 MB result ends; the result is then there', {
    timeout: 30_000,
  }, async () => {
    const [a, b] = Pipe();
    const child = new Process({ target: t.sendBig, args: [b, 1024 * 1024], context });
    child.start();
    b.close();
    await within(child.join(), 15_000);
    expect(child.exitCode).toBe(0);
    expect(((await a.recv()) as string).length).toBe(1024 * 1024);
    expect((await rejection(a.recv())).name).toBe('EOFError');
    a.close();
  });

  it('node#22762: 200 messages sent just before the sender closes its end all arrive in order, then EOFError', {
    timeout: 30_000,
  }, async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = Pipe();
      const child = new Process({ target: t.sendManyThenClose, args: [b, 200], context });
      child.start();
      b.close();
      const got: unknown[] = [];
      for await (const v of a) got.push(v);
      expect(got).toEqual(Array.from({ length: 200 }, (_, i) => ({ i })));
      await child.join();
      a.close();
    }
  });

  it('avocado#289: an item put (not awaited) just before process.exit(3) is delivered; exitCode is 3', {
    timeout: 20_000,
  }, async () => {
    const q = new Queue<unknown>();
    const child = new Process({ target: t.putThenExit, args: [q, { last: 'words' }, 3], context });
    child.start();
    await child.join();
    expect(child.exitCode).toBe(3);
    expect(await q.get({ timeout: 10_000 })).toEqual({ last: 'words' });
    q.close();
  });

  it('cpython#79423: putting an unsendable value throws SerializationError at once; the queue carries on', {
    timeout: 20_000,
  }, async () => {
    const q = new Queue<unknown>();
    const child = new Process({ target: t.putUnsendable, args: [q], context });
    child.start();
    const got = (await q.get({ timeout: 10_000 })) as { name: string; message: string };
    expect(got.name).toBe('SerializationError');
    expect(got.message).toContain('value.onDone');
    await child.join();
    expect(child.exitCode).toBe(0);
    await q.put('still works');
    expect(await q.get({ timeout: 5000 })).toBe('still works');
    q.close();
  });

  it('ifcpipeline#28: join() before get() of a 300 KB item ends; the item is then there', {
    timeout: 30_000,
  }, async () => {
    const q = new Queue<string>();
    const child = new Process({ target: t.put, args: [q, 'r'.repeat(300 * 1024)], context });
    child.start();
    await within(child.join(), 15_000);
    expect(child.exitCode).toBe(0);
    expect((await q.get({ timeout: 10_000 })).length).toBe(300 * 1024);
    q.close();
  });

  it('huey#897: join() on a Process that already ended resolves at once, every time', {
    timeout: 20_000,
  }, async () => {
    const child = new Process({ target: t.returnNormally, context });
    child.start();
    await child.join();
    const started = Date.now();
    await child.join();
    await child.join(10_000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(child.exitCode).toBe(0);
  });

  it('DeepFilterNet#245: a consumer that calls taskDone() for each of five items lets join() resolve', {
    timeout: 20_000,
  }, async () => {
    const jq = new JoinableQueue<number>();
    for (let i = 0; i < 5; i++) await jq.put(i);
    const child = new Process({ target: t.takeAndDone, args: [jq, 5], context });
    child.start();
    expect(await within(jq.join(), 15_000)).toBeUndefined();
    await child.join();
    jq.close();
  });

  it.each(['terminate', 'kill'] as const)(
    'loky#129 / luigi#1191: a Process whose target runs a process Process, ended by %s(): the grandchild ends too',
    {
      timeout: 40_000,
    },
    async (how) => {
      const file = scratchFile();
      const child = new Process({ target: t.innerProcessLeaf, args: [file], context });
      child.start();
      const pid = await pidIn(file);
      expect(alive(pid)).toBe(true);
      if (how === 'terminate') await child.terminate();
      else child.kill();
      await child.join(10_000);
      expect(child.exitCode).toBe(how === 'terminate' ? -15 : -9);
      expect(await eventually(() => !alive(pid), 10_000)).toBe(true);
    },
  );

  it('node#56362: starting a Process with a connection this side already closed throws ClosedError', () => {
    const [a, b] = Pipe();
    a.close();
    const child = new Process({ target: t.sendBig, args: [a, 1], context });
    expect(() => child.start()).toThrow(ClosedError);
    b.close();
  });

  it('workerpool#429: a target that sets process.exitCode = 3 and returns ends with exitCode 3', {
    timeout: 20_000,
  }, async () => {
    const child = new Process({ target: t.setExitCode, args: [3], context });
    child.start();
    await child.join();
    expect(child.exitCode).toBe(3);
  });

  it('uber/fiber#28: a target that returns normally ends with exitCode 0', { timeout: 20_000 }, async () => {
    const child = new Process({ target: t.returnNormally, context });
    child.start();
    await child.join();
    expect(child.exitCode).toBe(0);
  });
});

describe('bug reports (53), connections in the main thread', () => {
  it('node#42296: send() after close() throws ClosedError and nothing reaches the other end', async () => {
    const [a, b] = Pipe();
    a.close();
    expect(() => a.send('after close')).toThrow(ClosedError);
    expect((await rejection(b.recv())).name).toBe('EOFError');
    b.close();
  });
});

describe('bug reports (53), Listener and Client', () => {
  it('prpl-tidybot#89: a client that drops mid-handshake fails one accept(); the next accept() gives the good client', {
    timeout: 20_000,
  }, async () => {
    const listener = new Listener(['127.0.0.1', 0], { authkey: 'k' });
    try {
      const [host, port] = (await listener.ready()) as [string, number];
      const probe = net.connect(port, host);
      probe.on('error', () => {});
      await new Promise((resolve) => probe.once('connect', resolve));
      probe.destroy();
      await sleep(100);
      const good = Client([host, port], { authkey: 'k' });
      expect(await within(rejection(listener.accept()), 10_000)).toBeInstanceOf(EOFError);
      const conn = await within(listener.accept(), 10_000);
      const client = await within(good, 10_000);
      if (conn === 'still waiting' || client === 'still waiting')
        throw new Error('accept() or Client() hung');
      client.send('after the probe');
      expect(await conn.recv()).toBe('after the probe');
      client.close();
      conn.close();
    } finally {
      listener.close();
    }
  });

  it('cpython#123736: an authkey on one side only fails Client() with AuthenticationError, both ways round', {
    timeout: 20_000,
  }, async () => {
    const open = new Listener(['127.0.0.1', 0]);
    const keyed = new Listener(['127.0.0.1', 0], { authkey: 'k' });
    try {
      const accepted = keyed.accept().catch((e: unknown) => e);
      open.accept().catch(() => {});
      expect(await within(rejection(Client(await open.ready(), { authkey: 'k' })), 10_000)).toBeInstanceOf(
        AuthenticationError,
      );
      expect(await within(rejection(Client(await keyed.ready())), 10_000)).toBeInstanceOf(
        AuthenticationError,
      );
      expect(await within(accepted, 10_000)).toBeInstanceOf(AuthenticationError);
    } finally {
      open.close();
      keyed.close();
    }
  });
});

describe('bug reports (53), exit by signal, process context', () => {
  it.each([
    ['SIGKILL', -9],
    ['SIGTERM', -15],
  ] as const)(
    'dotenv-cli#60 / pi#8992 / node#11284: a child that dies of %s has exitCode %i, not 0 or null',
    {
      timeout: 20_000,
    },
    async (signal, code) => {
      const child = new Process({ target: t.killSelf, args: [signal], context: 'process' });
      child.start();
      await child.join();
      expect(child.exitCode).toBe(code);
    },
  );
});

describe.each(CONTEXTS)('bug reports (53), programs, %s context', (context) => {
  it('cpython#132634: a program whose Process filled a Queue and which then throws exits with code 1', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout, stderr } = await runProgram('bugs-53-program.mjs', ['queue-then-throw', context]);
    expect(stdout).toContain('joined 0');
    expect(stderr).toContain('the program fails with the items still queued');
    expect(code).toBe(1);
  });

  it('node-pool#102 / logto#9346 / node-cron#599: a program with an idle pool (idleTimeout 60 s) exits by itself at once', {
    timeout: 40_000,
  }, async () => {
    const started = Date.now();
    const { code, stdout } = await runProgram('bugs-53-program.mjs', ['idle-pool', context]);
    expect(stdout).toContain('result 5');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('bcoin#704: a program whose only work is a pending call not awaited waits for it, then exits', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-53-program.mjs', ['pending-not-awaited', context]);
    expect(stdout).toContain('late result 300');
    expect(code).toBe(0);
  });

  it('node#40961: the three lines a Process logs before process.exit() all appear, before the join', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-53-program.mjs', ['log-then-exit', context]);
    expect(stdout.split('\n').filter(Boolean)).toEqual(['worker1', 'worker2', 'worker3', 'joined 0']);
    expect(code).toBe(0);
  });

  it('node#53701: the three lines a busy Process logs all appear, before its join', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-53-program.mjs', ['log-then-spin', context]);
    expect(stdout.split('\n').filter(Boolean)).toEqual(['busy-a', 'busy-b', 'busy-c', 'joined 0']);
    expect(code).toBe(0);
  });

  it('DeepFilterNet#245 / ipython#8554: JoinableQueue.join() after a consumer skipped taskDone() rejects, it does not hang', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-53-program.mjs', ['joinable-no-task-done', context]);
    expect(stdout).toContain('join rejected EOFError');
    expect(code).toBe(0);
  });

  it('cpython#91594 / cpython#73983: a child put 10000 items, the parent took one: join() ends and the program exits', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-53-program.mjs', ['put-many-get-one', context]);
    expect(stdout.split('\n').filter(Boolean)).toEqual(['first 0', 'joined 0']);
    expect(code).toBe(0);
  });

  it('cpython#80180: a program sent SIGTERM while it joins a running Process ends, and the Process with it', {
    timeout: 40_000,
  }, async () => {
    const file = scratchFile();
    const program = fileURLToPath(new URL('./fixtures/bugs-53-program.mjs', import.meta.url));
    const child = spawn(process.execPath, [program, 'process-then-wait', context, file], { stdio: 'ignore' });
    try {
      const pid = await pidIn(file);
      const ended = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, sig) => resolve(sig)),
      );
      child.kill('SIGTERM');
      expect(await within(ended, 15_000)).toBe('SIGTERM');
      expect(await eventually(() => !alive(pid), 10_000)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('node#41103 / node#53011 / react-x11#600: a program run with --expose-gc --title and heap flags starts its workers', {
    timeout: 40_000,
  }, async () => {
    const flags = [
      '--expose-gc',
      '--title',
      'bugs53',
      '--max-old-space-size=300',
      '--max-semi-space-size=16',
    ];
    const { code, stdout, stderr } = await runProgram('bugs-53-program.mjs', ['flags', context], flags);
    expect(stderr).not.toContain('ERR_WORKER_INVALID_EXEC_ARGV');
    expect(stdout.split('\n').filter(Boolean)).toEqual(['worker gc function', 'process 0']);
    expect(code).toBe(0);
  });

  it("cluster#172 / thread-loader#86 / bun#39677: a Process starts in the program's current directory and environment", {
    timeout: 40_000,
  }, async () => {
    const dir = realpathSync(tmpdir());
    process.env.BUGS53_REMOVED = 'set at launch';
    let out: string;
    try {
      out = (await runProgram('bugs-53-program.mjs', ['cwd-env', context, dir])).stdout;
    } finally {
      delete process.env.BUGS53_REMOVED;
    }
    const { main, worker } = JSON.parse(out.trim().split('\n')[0] as string) as {
      main: string;
      worker: { cwd: string; added: string | null; removed: string | null };
    };
    expect(main).toBe(dir);
    expect(worker).toEqual({ cwd: dir, added: 'added at run time', removed: null });
  });
});
