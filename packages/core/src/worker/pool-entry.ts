/**
 * Worker side of `Pool`: the module every pool worker (thread or child process) runs. Its default
 * export runs one `Batch`: it claims job after job and commits each call's reply before the next
 * starts (`reporter.ts`), then answers with a `BatchReply`. Task errors are answered as records,
 * never thrown: any rejection tinypool reports to the host means the worker died or was stopped.
 */
import type { BroadcastChannel } from 'node:worker_threads';
import { sendChecked } from './caller-send.js';
import { listenForPosts, overChannel } from './channel-batches.js';
import { guardChildProcess, isForkedChild, onChannelClosed, refuseMainProgram } from './child-guard.js';
import { enableCompileCache } from './compile-cache.js';
import { endOnFailure, reportUncaught } from './crash-report.js';
import { writeOutputDirectlyIfTold } from './direct-output.js';
import { answering, guardReplySends } from './reply-guard.js';
import { closeUnstarted } from './unstarted.js';

// A child (tinypool's child_process runtime) does not load node:worker_threads (issue #18).
refuseMainProgram('@multiproc/core/worker/pool');
const isMainThread = isForkedChild();

// First, before any user code: a child never outlives its parent; no line is lost at exit.
if (isMainThread) {
  guardChildProcess();
  // Its pool closed the channel: it ends once what its tasks left behind has run (loop-watch.ts).
  onChannelClosed(() => endWhenDry(exitAfterChildren));
  reportUncaught();
  guardReplySends();
  listenForPosts(); // the host's batches (see BatchPost), before this child is ready
} else writeOutputDirectlyIfTold(); // unless the program replaced its stdout's write()
// Before the task module and the packages it imports are loaded.
enableCompileCache();

import '@multiproc/ipc'; // registers the decoders of connections and queues in this realm
import { setWorkerIdentity } from '../identity.js';
import type { Batch, BatchReply, CallJob, CallReply, MapReply, TaskSpec } from '../internal/batch.js';
import { markPoolWorker } from '../internal/bootstrap.js';
import { clockMs } from '../internal/clock.js';
import { decodeValue, toErrorRecord } from '../internal/error-record.js';
import { callAfterRefs, loadTask } from '../internal/load-task.js';
import { lookupTask } from '../task.js';
import { initRan, initSucceeded, keepInitArgs, loadBatchTasks, runInit } from './batch-setup.js';
import { collectDroppedCopies, flushIpc, ipcEndsNormally, ipcIdle } from './ipc-flush.js';
import { exitAfterChildren, hasNonDaemonChildren } from './join-children.js';
import { endWhenDry, holdWhileIdle, taskBegins, taskEnds, watchLoop } from './loop-watch.js';
import { serveAsMainModule } from './main-serve.js';
import { context, isThenable, packCallResult, replyTransfer, runMap, runNumberChunk } from './map-run.js';
import { endCallMessages, runWithMessages } from './message-scope.js';
import { adoptSlot, listenForCancel, type Reporter, reporterFor } from './reporter.js';
import { listenForSideChunks, sideIdle } from './side-run.js';

// The worker's number in its pool, never repeated (worker-start.ts); tinypool's id is its slot.
const workerId = Number(
  process.env.MULTIPROC_POOL_WORKER ??
    (process as any).__tinypool_state__?.workerId ??
    process.env.TINYPOOL_WORKER_ID ??
    0,
);
delete process.env.MULTIPROC_POOL_WORKER;
const {
  depth = 1,
  thread,
  authkey,
  ...parent
} = JSON.parse(process.env.MULTIPROC_POOL_PARENT ?? 'null') ?? {
  pid: isMainThread ? process.ppid : process.pid,
  name: 'MainProcess',
};
// The key must not reach programs the task starts (they inherit process.env).
delete process.env.MULTIPROC_POOL_PARENT;
// This realm runs code only while a task from that thread runs: a manager served there does not
// count its connections from here as parties that could still end a wait (ipc's manager/stuck.ts).
if (thread !== undefined) {
  (globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.tasksFrom')] = `${parent.pid}:${thread}`;
}
setWorkerIdentity({
  name: `${context === 'thread' ? 'Thread' : 'Process'}PoolWorker-${workerId}`,
  identity: [workerId],
  daemon: true,
  context,
  parent,
  depth,
  authkey,
});
markPoolWorker();
if (isMainThread) listenForCancel();
// A worker started with this file, not tinypool's entry, answers tinypool itself (main-serve.ts).
serveAsMainModule(isMainThread ? overChannel(runBatch) : runBatch, isMainThread);
// The pool's channel holds this worker's loop only while it idles: last, see watchLoop.
watchLoop(isMainThread);

let tasksDone = 0;

/** Wraps a reply so that tinypool's worker entry transfers `list` with it (its move() protocol). */
async function withTransfer(reply: BatchReply, list: object[]): Promise<BatchReply> {
  const { markMovable } = await import('tinypool');
  const movable = { [Symbol.for('Tinypool.transferable')]: list, [Symbol.for('Tinypool.valueOf')]: reply };
  markMovable(movable);
  return movable as unknown as BatchReply;
}

/**
 * Runs one call and hands its reply to `commit` in the same turn as the task returned (a plain
 * value) or at the first reaction to its promise: a task that calls `process.exit()` in a
 * microtask right after returning still has its result delivered. Synchronous when the task is
 * loaded and returns a plain value (the hot path).
 */
function runCall(job: CallJob, spec: TaskSpec, commit: (reply: CallReply) => void): void | Promise<void> {
  const fn = lookupTask(spec.module, spec.taskName);
  if (!fn)
    return loadTask(spec.module, spec.taskName).then(
      () => runCall(job, spec, commit),
      (err) => commit(failure(err)),
    );
  let value: unknown;
  try {
    const args = job.encoded ? decodeValue(job.args, context) : job.args;
    value = job.encoded ? callAfterRefs(fn, args) : fn(...args);
  } catch (err) {
    return commit(failure(err));
  }
  if (!isThenable(value)) return commit(succeed(value));
  return Promise.resolve(value).then(
    (settled) => commit(succeed(settled)),
    (err) => commit(failure(err)),
  );
}

function succeed(value: unknown): CallReply {
  try {
    const packed = packCallResult(value);
    return packed.json
      ? { ok: true, value: packed.value, encoded: false, json: true }
      : { ok: true, value: packed.value, encoded: packed.encoded };
  } catch (err) {
    return failure(err);
  }
}

function failure(err: unknown): CallReply {
  return { ok: false, error: toErrorRecord(err, 0, 'error', context, false, { transfer: replyTransfer }) };
}

/** A side chunk runs once its pool's initializer succeeded here, with no ipc copy to flush. */
function sideGate(init: string | null): boolean {
  if (init !== null && !initSucceeded(init)) return false;
  return ipcIdle();
}

const channels = new Map<string, BroadcastChannel>();
// Messages posted on a BroadcastChannel during the current batch, per listener (see BatchReply.sent).
const sent = new Map<number, number>();
/** This worker thread's id: the host counts each thread's messages apart (see BatchReply.sent). */
const threadId = (): number => process.getBuiltinModule('node:worker_threads').threadId;

/** Posts a task's messages to the host: over a BroadcastChannel between threads, over IPC from a child. */
function sinkFor(name: string | null, listener: number) {
  return (value: unknown): boolean => {
    if (isMainThread)
      return sendChecked(value, listener, (m) => process.send!(m), process.connected === true);
    if (!name) return false;
    let channel = channels.get(name);
    if (!channel) {
      channel = new (process.getBuiltinModule('node:worker_threads').BroadcastChannel)(name);
      (channel as { unref?(): void }).unref?.();
      channels.set(name, channel);
    }
    sendChecked(value, listener, (m) => channel.postMessage(m), true, threadId());
    sent.set(listener, (sent.get(listener) ?? 0) + 1);
    return true;
  };
}

const noJobs = (): BatchReply => ({ ran: 0, ms: 0 });
/** Runs one batch. tinypool calls this once per task it hands to this worker (a child's: `BatchPost`). */
export default isMainThread ? endOnFailure(overChannel(runBatch)) : endOnFailure(runBatch);
function runBatch(batch: Batch): BatchReply | Promise<BatchReply> {
  if (isMainThread) answering(batch);
  if (batch.port && batch.control && !isMainThread) {
    adoptSlot(batch);
    holdWhileIdle(batch.port);
    listenForSideChunks(batch.port, batch.control, sideGate);
  }
  keepInitArgs(batch);
  // No jobs: the pool wanted a worker started (initialized: Python starts them so), or held one
  // until its side chunks ran.
  if (batch.jobs.length === 0 && batch.hold) return sideIdle()?.then(noJobs) ?? noJobs();
  if (batch.jobs.length === 0 && (!batch.init || initRan(batch.init.id))) return noJobs();
  const reply = runNumberBatch(batch) ?? runAnyBatch(batch);
  return reply instanceof Promise ? reply.then(retiring) : retiring(reply);
}

/**
 * A worker that retires after its tasks ends normally, though its pool then stops it: the managers
 * it holds a plain Lock or semaphore permits of are told, so those stay taken, as in Python (a
 * thread's host knows this itself: owner-death.ts). A failed initializer is no normal end.
 */
function retiring(reply: BatchReply): BatchReply {
  // A movable reply (withTransfer) carries the plain one inside.
  const plain = ((reply as unknown as Record<symbol, unknown>)[VALUE_OF] ?? reply) as MutableReply;
  if (hasNonDaemonChildren()) plain.children = true;
  if (plain.retire && !plain.initError) ipcEndsNormally();
  else collectDroppedCopies();
  return reply;
}

const VALUE_OF = Symbol.for('Tinypool.valueOf');
type MutableReply = { -readonly [K in keyof BatchReply]: BatchReply[K] };

/**
 * A thread's batch of one map chunk of numbers, its task loaded and its pool's initializer done:
 * `imap` over millions of numbers is made of these. Run without an async step, so that the
 * worker allocates little more than the messages per chunk (issue 18: what a worker allocates
 * walks through its young generation's pages, which count in the process's RSS). Undefined when
 * the batch needs the general path.
 */
function runNumberBatch(batch: Batch): BatchReply | Promise<BatchReply> | undefined {
  const job = batch.jobs[0]!;
  if (isMainThread || batch.jobs.length !== 1 || batch.cancelled || job.kind !== 'map') return undefined;
  if (job.star || job.listener !== undefined || !(job.items instanceof Float64Array)) return undefined;
  const init = batch.init;
  const cap = batch.maxTasks;
  if (cap > 0 && tasksDone >= cap) return undefined;
  if (init && !initSucceeded(init.id)) return undefined;
  const spec = batch.tasks[job.task]!;
  const fn = lookupTask(spec.module, spec.taskName);
  if (!fn || !ipcIdle()) return undefined;
  const report = reporterFor(batch, true);
  const started = clockMs();
  if (report.claim() === -1) return { ran: 0, ms: 0 }; // taken back: nothing ran
  tasksDone++;
  report.starting(0);
  report.entered(0);
  taskBegins();
  let map: MapReply | Promise<MapReply>;
  try {
    map = runNumberChunk(job, spec, fn as (item: number) => unknown, report, started);
  } catch (err) {
    taskEnds();
    throw err;
  }
  if (!(map instanceof Promise)) {
    taskEnds();
    return closeNumberBatch(map, report, cap);
  }
  return map.then((done) => closeNumberBatch(done, report, cap)).finally(taskEnds);
}

/** The answer of a batch `runNumberBatch` ran (a function, not a closure a chunk: issue 18). */
function closeNumberBatch(map: MapReply, report: Reporter, cap: number): BatchReply | Promise<BatchReply> {
  const reply: MutableReply = { ran: 1, ms: map.ms ?? 0 };
  // Committed on the slot's port before the answer: see `runBatchNow`.
  if (report.postMap(0, map, replyTransfer)) replyTransfer.length = 0;
  else reply.map = map;
  if (cap > 0 && tasksDone >= cap) {
    report.close();
    reply.retire = true;
  }
  return ipcIdle() ? reply : flushIpc().then(() => reply);
}

async function runAnyBatch(batch: Batch): Promise<BatchReply> {
  // Pools and processes may be started by a running task only (see internal/bootstrap.ts).
  taskBegins();
  try {
    const reply = await runBatchNow(batch);
    if (!isMainThread) closeUnstarted(batch.jobs, reply.ran);
    return replyTransfer.length > 0 ? await withTransfer(reply, replyTransfer.splice(0)) : reply;
  } finally {
    taskEnds();
  }
}

async function runBatchNow(batch: Batch): Promise<BatchReply> {
  const report = reporterFor(batch, !isMainThread);
  const started = clockMs();
  const cap = batch.maxTasks;
  const reply: MutableReply = { ran: 0, ms: 0 };
  if (batch.cancelled || (cap > 0 && tasksDone >= cap)) {
    // A batch that reached a worker which already served maxTasksPerChild goes back unrun.
    report.close();
    if (!batch.cancelled) reply.retire = true;
    await report.end();
    return reply;
  }
  if (batch.init) {
    const init = await runInit(batch.init, report);
    if (init === 'ran') reply.initialized = true;
    else if (init !== undefined) {
      report.close();
      await report.end();
      return { ran: 0, ms: 0, initError: init, retire: true };
    }
  }
  await loadBatchTasks(batch, report); // before the first claim: a worker dying as they load started no job
  for (;;) {
    if (cap > 0 && tasksDone >= cap) {
      report.close();
      reply.retire = true;
      break;
    }
    const index = report.claim();
    if (index === -1) break;
    reply.ran = index + 1;
    tasksDone++;
    const job = batch.jobs[index]!;
    const spec = batch.tasks[job.task]!;
    const announced = report.starting(index);
    if (announced) await announced; // a child waits for the pipe; a thread goes straight on
    report.entered(index);
    const sink = job.listener === undefined ? undefined : sinkFor(batch.messages, job.listener);
    try {
      if (job.kind === 'map') {
        const map = await (sink
          ? runWithMessages(sink, () => runMap(job, spec, report))
          : runMap(job, spec, report));
        // A thread commits its chunk's results on the slot's port (its results buffer goes back
        // there, not through tinypool): an idle thread runs its timers, and one that dies of a
        // task's timer right after answering keeps the results it had answered with (issue 18).
        if (report.postMap(index, map, replyTransfer)) replyTransfer.length = 0;
        else reply.map = map;
      } else {
        // Committed as the task's result is known, before anything else is awaited: a worker
        // that dies from then on (a timer or a microtask of this call's) keeps this reply. What
        // the result moves goes with it (a thread's port).
        const commit = (done: CallReply): void => {
          const posted = job.listener === undefined ? undefined : sent.get(job.listener);
          if (posted !== undefined) {
            // Counted with the call's own reply, not the batch's: the host settles the call only
            // once that many messages have arrived on the other channel.
            sent.delete(job.listener!);
            done.sent = posted;
          }
          report.finished(index, done, replyTransfer.splice(0));
        };
        const result = sink
          ? runWithMessages(sink, () => runCall(job, spec, commit))
          : runCall(job, spec, commit);
        if (result instanceof Promise) await result;
        // A call that may have used a connection or queue (sent to it, or kept by the initializer)
        // gives back what its copies fetched ahead and delivers what they sent before the batch's
        // answer: an idle copy holding items would starve the next call's get() in this batch.
        if (job.encoded || batch.init) await flushIpc();
      }
    } finally {
      if (sink) endCallMessages();
    }
  }
  // Connections and queues the tasks used deliver what they sent before the batch is answered.
  await flushIpc();
  await report.end();
  if (sent.size > 0) {
    const from = isMainThread ? undefined : threadId();
    reply.sent = [...sent].map(([listener, count]) => [listener, count, from] as const);
    sent.clear();
  }
  reply.ms = clockMs() - started;
  return reply;
}
