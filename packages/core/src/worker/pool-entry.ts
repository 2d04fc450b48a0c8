/**
 * Worker side of `Pool`: the module tinypool loads in every pool worker (thread or child process).
 * Its default export runs one `Batch`: it claims job after job and commits each call's reply
 * before the next starts (`reporter.ts`), then answers with a `BatchReply`. Task errors are
 * answered as records, never thrown, so any rejection tinypool reports to the host means the
 * worker died or was stopped.
 */
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { guardChildProcess } from './child-guard.js';
import { enableCompileCache } from './compile-cache.js';
import { writeOutputDirectly } from './direct-output.js';

// First, before any user code: a child never outlives its parent; no line is lost at exit.
if (isMainThread) guardChildProcess();
else writeOutputDirectly();
// Before the task module and the packages it imports are loaded.
enableCompileCache();

import '@multiproc/ipc'; // registers the decoders of connections and queues in this realm
import { type CodecTarget, decodeValue, encodeValue } from '@multiproc/shared';
import { setWorkerIdentity } from '../identity.js';
import type {
  Batch,
  BatchReply,
  CallerMessage,
  CallJob,
  CallReply,
  InitSpec,
  MapJob,
  MapReply,
  TaskSpec,
} from '../internal/batch.js';
import { markPoolWorker, taskEnded, taskStarted } from '../internal/bootstrap.js';
import { clockMs } from '../internal/clock.js';
import { type ErrorRecord, toErrorRecord } from '../internal/error-record.js';
import { loadTask } from '../internal/load-task.js';
import { lookupTask } from '../task.js';
import { setMessageSink } from '../task-message.js';
import { type NumberRunStop, runNumbers } from './number-run.js';
import { listenForCancel, type Reporter, reporterFor, Step } from './reporter.js';

const context: CodecTarget = isMainThread ? 'process' : 'thread';
const workerId = Number((process as any).__tinypool_state__?.workerId ?? process.env.TINYPOOL_WORKER_ID ?? 0);
const { depth = 1, ...parent } = JSON.parse(process.env.MULTIPROC_POOL_PARENT ?? 'null') ?? {
  pid: isMainThread ? process.ppid : process.pid,
  name: 'MainProcess',
};
setWorkerIdentity({
  name: `${context === 'thread' ? 'Thread' : 'Process'}PoolWorker-${workerId}`,
  identity: [workerId],
  daemon: true,
  context,
  parent,
  depth,
});
markPoolWorker();

if (isMainThread) listenForCancel();

// Per pool (a worker may serve nested pools' ids too): undefined once its initializer succeeded,
// or the record of the error it failed with; no task ever runs in a worker whose initializer failed.
const initialized = new Map<string, ErrorRecord | undefined>();
let tasksDone = 0;

/** Runs the pool's initializer once; returns its error record if it failed (now or before). */
async function runInit(init: InitSpec, report: Reporter): Promise<ErrorRecord | undefined | 'ran'> {
  if (initialized.has(init.id)) return initialized.get(init.id);
  await report.initStarting();
  try {
    const fn = await loadTask(init.module, init.taskName);
    const args = init.encoded ? decodeValue(init.args, context) : init.args;
    await fn(...args);
    initialized.set(init.id, undefined);
    return 'ran';
  } catch (err) {
    const record = toErrorRecord(err);
    initialized.set(init.id, record);
    return record;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as any).then === 'function';
}

function packResult(value: unknown, path: string): { value: unknown; encoded: boolean } {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') encodeValue(value, context, path);
    return { value, encoded: false };
  }
  const out = encodeValue(value, context, path);
  // What the result moves (a move()d buffer, a Buffer's bytes) goes back by transfer.
  for (const item of out.transfer) replyTransfer.push(item);
  return { value: out.value, encoded: out.encoded };
}

const replyTransfer: object[] = [];
/** A thread's number results go back by transfer from this many items (a 32 kB buffer). */
const TRANSFER_FROM = 4096;

/** Wraps a reply so that tinypool's worker entry transfers `list` with it (its move() protocol). */
async function withTransfer(reply: BatchReply, list: object[]): Promise<BatchReply> {
  const { markMovable } = await import('tinypool');
  const movable = { [Symbol.for('Tinypool.transferable')]: list, [Symbol.for('Tinypool.valueOf')]: reply };
  markMovable(movable);
  return movable as unknown as BatchReply;
}

/** Runs one call; synchronous when the task is loaded and returns a plain value (the hot path). */
function runCall(job: CallJob, spec: TaskSpec): CallReply | Promise<CallReply> {
  const fn = lookupTask(spec.module, spec.taskName);
  if (!fn) return loadTask(spec.module, spec.taskName).then(() => runCall(job, spec), failure);
  try {
    const args = job.encoded ? decodeValue(job.args, context) : job.args;
    const value = fn(...args);
    return isThenable(value) ? Promise.resolve(value).then(succeed, failure) : succeed(value);
  } catch (err) {
    return failure(err);
  }
}

function succeed(value: unknown): CallReply {
  try {
    const packed = packResult(value, 'result');
    return { ok: true, value: packed.value, encoded: packed.encoded };
  } catch (err) {
    return failure(err);
  }
}

function failure(err: unknown): CallReply {
  return { ok: false, error: toErrorRecord(err) };
}

async function runMap(job: MapJob, spec: TaskSpec, report: Reporter): Promise<MapReply> {
  const started = clockMs();
  const reply = await mapItems(job, spec, report);
  return { ...reply, ms: clockMs() - started };
}

async function mapItems(job: MapJob, spec: TaskSpec, report: Reporter): Promise<MapReply> {
  const fn =
    lookupTask(spec.module, spec.taskName) ??
    (await loadTask(spec.module, spec.taskName).catch((err) => err as Error));
  const items = job.encoded ? decodeValue(job.items, context) : job.items;
  const n = items.length;
  // Numbers in, numbers out (the common map): results go straight into the Float64Array that is
  // sent back. A thread writes a big chunk's over its items (its own copy, a view that may not
  // fill its buffer) and sends them by transfer on the slot's port (`Reporter.postMap`), so the
  // caller can reuse the buffer; a small chunk's are copied with the batch's answer (one message,
  // not two). The first non-number result switches to a plain array.
  const numbers = items instanceof Float64Array && !job.star;
  const inPlace = numbers && context === 'thread' && n >= TRANSFER_FROM;
  let packed: Float64Array | undefined = inPlace ? items : numbers ? new Float64Array(n) : undefined;
  let values: unknown[] = packed ? [] : new Array(n);
  let numeric = true;
  let i = 0;
  try {
    if (fn instanceof Error) throw fn;
    // Where the number loop stopped, and why (a step it did not take, or the item's result).
    let stoppedAt = -1;
    let stop: NumberRunStop | undefined;
    for (; i < n; i++) {
      if (packed && i !== stoppedAt) {
        ({ index: i, stop } = runNumbers(fn, items as Float64Array, packed, i, report));
        stoppedAt = i;
        if (stop.thrown) throw stop.value;
        if (i >= n) break;
      }
      let value: unknown;
      if (i === stoppedAt && stop!.hasValue) value = stop!.value;
      else {
        const step = i === stoppedAt ? stop!.step : report.item(i);
        // A cancelled chunk stops here: its call gave up, and what is done so far is dropped.
        if (step === Step.CANCELLED || (step === Step.PAUSE && !(await report.pause(i)))) break;
        value = job.star ? fn(...(items[i] as unknown[])) : fn(items[i]);
      }
      if (isThenable(value)) value = await value;
      if (packed) {
        if (typeof value === 'number') {
          packed[i] = value;
          continue;
        }
        values = Array.from(packed.subarray(0, i));
        packed = undefined;
      }
      if (typeof value !== 'number') numeric = false;
      values[i] = value;
    }
  } catch (err) {
    if (packed) values = Array.from(packed.subarray(0, i));
    values.length = i;
    const safe = safePack(values, job.base);
    return { values: safe.values, encoded: safe.encoded, error: safe.error ?? toErrorRecord(err) };
  }
  if (packed) {
    if (inPlace) replyTransfer.push(packed.buffer);
    return { values: packed, encoded: false };
  }
  if (numeric) return { values: Float64Array.from(values as number[]), encoded: false };
  const safe = safePack(values, job.base);
  return { values: safe.values, encoded: safe.encoded, ...(safe.error ? { error: safe.error } : {}) };
}

/**
 * Encodes results; a result that cannot be sent ends the chunk there with a SerializationError
 * whose path names the item's index in its call (`base`: the chunk's first).
 */
function safePack(
  values: unknown[],
  base = 0,
): {
  values: unknown[];
  encoded: boolean;
  error?: ReturnType<typeof toErrorRecord>;
} {
  let encoded = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol')) continue;
    try {
      const out = packResult(v, `result[${base + i}]`);
      values[i] = out.value;
      encoded ||= out.encoded;
    } catch (err) {
      values.length = i;
      return { values, encoded, error: toErrorRecord(err) };
    }
  }
  return { values, encoded };
}

const FLUSH_KEY = Symbol.for('multiproc.ipc.flush');

/** ipc's flush hook (see its `internal/flush.ts`): gives back what was fetched ahead, sends what was put. */
async function flushIpc(): Promise<void> {
  const flush = (globalThis as Record<symbol, unknown>)[FLUSH_KEY] as (() => Promise<void>) | undefined;
  if (flush) await flush().catch(() => {});
}
const channels = new Map<string, BroadcastChannel>();
// Messages posted on a BroadcastChannel during the current batch, per listener (see BatchReply.sent).
const sent = new Map<number, number>();

/** Posts a task's messages to the host: over a BroadcastChannel between threads, over IPC from a child. */
function sinkFor(name: string | null, listener: number) {
  return (value: unknown): boolean => {
    const message: CallerMessage = { __multiproc_message__: listener, value };
    if (isMainThread) return process.send?.(message) ?? false;
    if (!name) return false;
    let channel = channels.get(name);
    if (!channel) {
      channel = new BroadcastChannel(name);
      (channel as { unref?(): void }).unref?.();
      channels.set(name, channel);
    }
    channel.postMessage(message);
    sent.set(listener, (sent.get(listener) ?? 0) + 1);
    return true;
  };
}

/** Runs one batch. tinypool calls this once per task it hands to this worker. */
export default async function runBatch(batch: Batch): Promise<BatchReply> {
  if (batch.jobs.length === 0) return { ran: 0, ms: 0 }; // the pool only wanted a worker started
  // Pools and processes may be started by a running task only (see internal/bootstrap.ts).
  taskStarted();
  try {
    const reply = await runBatchNow(batch);
    return replyTransfer.length > 0 ? await withTransfer(reply, replyTransfer.splice(0)) : reply;
  } finally {
    taskEnded();
  }
}

async function runBatchNow(batch: Batch): Promise<BatchReply> {
  const report = reporterFor(batch, !isMainThread);
  const started = clockMs();
  const cap = batch.maxTasks;
  const reply: { -readonly [K in keyof BatchReply]: BatchReply[K] } = { ran: 0, ms: 0 };
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
    if (job.listener !== undefined) setMessageSink(sinkFor(batch.messages, job.listener));
    try {
      if (job.kind === 'map') {
        const map = await runMap(job, spec, report);
        // A thread's results buffer goes back on the slot's port, not through tinypool.
        if (replyTransfer.length > 0 && report.postMap(index, map, replyTransfer)) replyTransfer.length = 0;
        else reply.map = map;
      } else {
        const result = runCall(job, spec);
        const done = result instanceof Promise ? await result : result;
        const posted = job.listener === undefined ? undefined : sent.get(job.listener);
        if (posted !== undefined) {
          // Counted with the call's own reply, not the batch's: the host settles the call only
          // once that many messages have arrived on the other channel.
          sent.delete(job.listener!);
          done.sent = posted;
        }
        // Committed before anything is awaited: a worker that dies from here on (a timer of this
        // call's, say) keeps this reply. What the result moves goes with it (a thread's port).
        report.finished(index, done, replyTransfer.splice(0));
        // A call that may have used a connection or queue (sent to it, or kept by the initializer)
        // gives back what its copies fetched ahead and delivers what they sent before the batch's
        // answer: an idle copy holding items would starve the next call's get() in this batch.
        if (job.encoded || batch.init) await flushIpc();
      }
    } finally {
      if (job.listener !== undefined) setMessageSink(undefined);
    }
  }
  // Connections and queues the tasks used deliver what they sent before the batch is answered.
  await flushIpc();
  await report.end();
  if (sent.size > 0) {
    reply.sent = [...sent];
    sent.clear();
  }
  reply.ms = clockMs() - started;
  return reply;
}
