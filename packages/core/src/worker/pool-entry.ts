/**
 * Worker side of `Pool`: the module tinypool loads in every pool worker (thread or child process).
 * Its default export runs one `Batch` and answers with a `BatchReply`; task errors are answered as
 * records, never thrown, so any rejection tinypool reports to the host means the worker died.
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { guardChildProcess } from './child-guard.js';
import { writeOutputDirectly } from './direct-output.js';

// First, before any user code: a child never outlives its parent; no line is lost at exit.
if (isMainThread) guardChildProcess();
else writeOutputDirectly();

import '@multiproc/ipc'; // registers the decoders of connections and queues in this realm
import { type CodecTarget, decodeValue, encodeValue } from '@multiproc/shared';
import { setWorkerIdentity } from '../identity.js';
import type {
  Batch,
  BatchReply,
  CallerMessage,
  CallJob,
  InitSpec,
  JobReply,
  MapJob,
  MapReply,
  TaskSpec,
} from '../internal/batch.js';
import { markPoolWorker, taskEnded, taskStarted } from '../internal/bootstrap.js';
import { toErrorRecord } from '../internal/error-record.js';
import { loadTask } from '../internal/load-task.js';
import { lookupTask } from '../task.js';
import { setMessageSink } from '../task-message.js';

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

// How the host finds this worker among tinypool's: its thread id, or its pid for a child.
const selfId = isMainThread ? process.pid : threadId;
const initialized = new Set<string>();
let tasksDone = 0;

async function runInit(init: InitSpec): Promise<void> {
  if (initialized.has(init.id)) return;
  initialized.add(init.id);
  const fn = await loadTask(init.module, init.taskName);
  const args = init.encoded ? decodeValue(init.args, context) : init.args;
  await fn(...args);
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

/** Wraps a reply so that tinypool's worker entry transfers `list` with it (its move() protocol). */
async function withTransfer(reply: BatchReply, list: object[]): Promise<BatchReply> {
  const { markMovable } = await import('tinypool');
  const movable = { [Symbol.for('Tinypool.transferable')]: list, [Symbol.for('Tinypool.valueOf')]: reply };
  markMovable(movable);
  return movable as unknown as BatchReply;
}

/** Runs one call; synchronous when the task is loaded and returns a plain value (the hot path). */
function runCall(job: CallJob, spec: TaskSpec): JobReply | Promise<JobReply> {
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

function succeed(value: unknown): JobReply {
  try {
    const packed = packResult(value, 'result');
    return { ok: true, value: packed.value, encoded: packed.encoded };
  } catch (err) {
    return failure(err);
  }
}

function failure(err: unknown): JobReply {
  return { ok: false, error: toErrorRecord(err) };
}

async function runMap(job: MapJob, spec: TaskSpec): Promise<JobReply> {
  const started = performance.now();
  const reply = await mapItems(job, spec);
  return { ...reply, ms: performance.now() - started };
}

async function mapItems(job: MapJob, spec: TaskSpec): Promise<MapReply> {
  const fn =
    lookupTask(spec.module, spec.taskName) ??
    (await loadTask(spec.module, spec.taskName).catch((err) => err as Error));
  const items = job.encoded ? decodeValue(job.items, context) : job.items;
  const n = items.length;
  // Numbers in, numbers out (the common map): results go straight into the Float64Array that is
  // sent back. The first non-number result switches to a plain array.
  let packed: Float64Array | undefined =
    items instanceof Float64Array && !job.star ? new Float64Array(n) : undefined;
  let values: unknown[] = packed ? [] : new Array(n);
  let numeric = true;
  let i = 0;
  try {
    if (fn instanceof Error) throw fn;
    for (; i < n; i++) {
      let value = job.star ? fn(...(items[i] as unknown[])) : fn(items[i]);
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
    const safe = safePack(values);
    return { values: safe.values, encoded: safe.encoded, error: safe.error ?? toErrorRecord(err) };
  }
  if (packed) return { values: packed, encoded: false };
  if (numeric) return { values: Float64Array.from(values as number[]), encoded: false };
  const safe = safePack(values);
  return { values: safe.values, encoded: safe.encoded, ...(safe.error ? { error: safe.error } : {}) };
}

/** Encodes results; a result that cannot be sent ends the chunk there with a SerializationError. */
function safePack(values: unknown[]): {
  values: unknown[];
  encoded: boolean;
  error?: ReturnType<typeof toErrorRecord>;
} {
  let encoded = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol')) continue;
    try {
      const out = packResult(v, `result[${i}]`);
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

function countTasks(batch: Batch): number {
  return batch.jobs.length;
}

/** Runs one batch. tinypool calls this once per task it hands to this worker. */
export default async function runBatch(batch: Batch): Promise<BatchReply> {
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
  // A worker that has served maxTasksPerChild tasks hands any further batch back unrun.
  if (batch.maxTasks > 0 && tasksDone >= batch.maxTasks)
    return { recycled: true, retire: selfId, replies: [] };
  if (batch.init) {
    try {
      await runInit(batch.init);
    } catch (err) {
      const error = toErrorRecord(err);
      return {
        replies: batch.jobs.map((job) =>
          job.kind === 'call' ? { ok: false as const, error } : { values: [], encoded: false, error },
        ),
      };
    }
  }
  const replies: JobReply[] = [];
  for (const job of batch.jobs) {
    const spec = batch.tasks[job.task]!;
    if (job.listener !== undefined) setMessageSink(sinkFor(batch.messages, job.listener));
    try {
      const reply = job.kind === 'call' ? runCall(job, spec) : runMap(job, spec);
      replies.push(reply instanceof Promise ? await reply : reply);
    } finally {
      if (job.listener !== undefined) setMessageSink(undefined);
    }
  }
  // Connections and queues the tasks used deliver what they sent before the result goes back.
  const flushIpc = (globalThis as any)[FLUSH_KEY] as (() => Promise<void>) | undefined;
  if (flushIpc) await flushIpc().catch(() => {});
  tasksDone += countTasks(batch);
  const reply: { replies: JobReply[]; retire?: number; sent?: [number, number][] } = { replies };
  if (sent.size > 0) {
    reply.sent = [...sent];
    sent.clear();
  }
  // The host stops this worker once it has this reply (exiting here could cut the reply short).
  if (batch.maxTasks > 0 && tasksDone >= batch.maxTasks) reply.retire = selfId;
  return reply;
}
