/**
 * Worker side of a map chunk: runs the task over the chunk's items and packs the results (issue
 * 18: numbers in, numbers out run in `number-run.ts`'s synchronous loop and go back in the chunk's
 * own buffer). Also what calls share with it: how a result is packed, and what it moves.
 */

import { type CodecTarget, encodeJson, encodeValue } from '@multiproc/shared';
import type { MapJob, MapReply, TaskSpec } from '../internal/batch.js';
import { clockMs } from '../internal/clock.js';
import { decodeValue, ERRORS_AS_VALUES, toErrorRecord } from '../internal/error-record.js';
import { importRefModules, loadTask } from '../internal/load-task.js';
import { lookupTask } from '../task.js';
import { isForkedChild } from './child-guard.js';
import { type NumberRunStop, runNumbers } from './number-run.js';
import { restoreProcess } from './own-process.js';
import { type Reporter, Step } from './reporter.js';

// A child (tinypool's child_process runtime) does not load node:worker_threads (issue #18).
export const context: CodecTarget = isForkedChild() ? 'process' : 'thread';

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as any).then === 'function';
}

export function packResult(value: unknown, path: string): { value: unknown; encoded: boolean } {
  if (value === null || typeof value !== 'object') {
    // A task reference goes as one (Python pickles a function by name); another function or a
    // symbol throws SerializationError naming the path.
    if (typeof value === 'function' || typeof value === 'symbol') {
      const out = encodeValue(value, context, path, ERRORS_AS_VALUES);
      return { value: out.value, encoded: out.encoded };
    }
    return { value, encoded: false };
  }
  const out = encodeValue(value, context, path, ERRORS_AS_VALUES);
  // What the result moves (a move()d buffer, a Buffer's bytes) goes back by transfer.
  for (const item of out.transfer) replyTransfer.push(item);
  return { value: out.value, encoded: out.encoded };
}

/**
 * Whether results go as JSON text when they can: from a child process, whose host rebuilds a tree
 * from JSON 2-3x faster than V8's deserializer does from a clone (issue 18, ast11; `encodeJson`
 * says when JSON gives what a clone would). Not from a thread: there the scan and the text cost
 * the worker more than the host saves (the acorn AST of typescript.js: 3.2 s of the process's CPU
 * by clone, 4.1 s as JSON).
 */
const JSON_RESULTS = context === 'process';

/** A call's result: as JSON text (see {@link JSON_RESULTS}), else as {@link packResult} packs it. */
export function packCallResult(value: unknown): { value: unknown; encoded: boolean; json?: true } {
  const json = JSON_RESULTS ? encodeJson(value) : undefined;
  return json ? { value: json, encoded: false, json: true } : packResult(value, 'result');
}

/** What the results of the running job move (a thread transfers it with the reply). */
export const replyTransfer: object[] = [];

/**
 * The record of what a task threw, for the reply of its job: what its fields move (the port of a
 * queue or pipe end for a thread) goes with the reply, as its results' does.
 */
export function thrownRecord(err: unknown): ReturnType<typeof toErrorRecord> {
  return toErrorRecord(err, 0, 'error', context, false, { transfer: replyTransfer });
}
/** A thread's number results go back by transfer from this many items (a 32 kB buffer). */
export const TRANSFER_FROM = 4096;

/**
 * Runs a map chunk. Its `ms` counts from its first item on: the host sizes chunks by time per
 * item, and what a chunk costs once (the task's first import, decoding its items) would make a
 * one-item chunk of cheap items look 20-90 us an item instead of ~1 (issue 18, workloads2).
 */
export async function runMap(job: MapJob, spec: TaskSpec, report: Reporter): Promise<MapReply> {
  const clock = { started: clockMs() };
  const reply = await mapItems(job, spec, report, undefined, clock);
  return { ...reply, ms: clockMs() - clock.started };
}

/**
 * A thread's map chunk of numbers (its task loaded), run without an async step while every result
 * is a number (issue 18): no async frames or promises per chunk, and the results are written over
 * the items (the worker's own copy). Once an item needs the general loop (a result that is not a
 * number, a throw, a cancel), the rest of the chunk goes on there.
 * `started`: the clock when the batch started (one reading a chunk: each allocates).
 */
export function runNumberChunk(
  job: MapJob,
  spec: TaskSpec,
  fn: (item: number) => unknown,
  report: Reporter,
  started: number,
): MapReply | Promise<MapReply> {
  const items = job.items as Float64Array;
  const run = runNumbers(fn, items, items, 0, report);
  if (run.index < items.length || run.stop.thrown) {
    return mapItems(job, spec, report, run).then((reply) => ({ ...reply, ms: clockMs() - started }));
  }
  const ms = clockMs() - started;
  if (items.length >= TRANSFER_FROM) {
    replyTransfer.push(items.buffer);
    return { values: items, encoded: false, ms };
  }
  // A view is cloned with its whole buffer: one that does not fill it goes as a copy of its own.
  const values = items.byteLength === items.buffer.byteLength ? items : items.slice();
  return { values, encoded: false, ms };
}

/**
 * `resume`: where `runNumberChunk`'s loop stopped over the chunk, and why. `clock.started` is set
 * when the first item is about to run.
 */
async function mapItems(
  job: MapJob,
  spec: TaskSpec,
  report: Reporter,
  resume: { index: number; stop: NumberRunStop } | undefined,
  clock?: { started: number },
): Promise<MapReply> {
  const fn =
    lookupTask(spec.module, spec.taskName) ??
    (await loadTask(spec.module, spec.taskName).catch((err) => err as Error));
  const items = job.encoded ? decodeValue(job.items, context) : job.items;
  // Another module's task references among the items are imported before the first item runs.
  const failed = job.encoded ? await importRefModules()?.catch((err) => err as Error) : undefined;
  if (clock) clock.started = clockMs();
  const n = items.length;
  // Numbers in, numbers out (the common map): results go straight into the Float64Array that is
  // sent back. A thread writes a big chunk's over its items (its own copy, a view that may not
  // fill its buffer) and sends them by transfer on the slot's port (`Reporter.postMap`), so the
  // caller can reuse the buffer; a small chunk's are copied with the batch's answer (one message,
  // not two). The first non-number result switches to a plain array.
  const numbers = items instanceof Float64Array && !job.star;
  // A chunk `runNumberChunk` began holds its first results in place already.
  const inPlace = numbers && context === 'thread' && (n >= TRANSFER_FROM || resume !== undefined);
  let packed: Float64Array | undefined = inPlace ? items : numbers ? new Float64Array(n) : undefined;
  let values: unknown[] = packed ? [] : new Array(n);
  let numeric = true;
  let i = resume?.index ?? 0;
  try {
    if (fn instanceof Error) throw fn;
    if (failed) throw failed;
    // Where the number loop stopped, and why (a step it did not take, or the item's result).
    let stoppedAt = resume?.index ?? -1;
    let stop: NumberRunStop | undefined = resume?.stop;
    if (stop?.thrown) throw stop.value;
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
      restoreProcess(); // the task may have replaced it (own-process.ts)
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
    restoreProcess();
    if (packed) values = Array.from(packed.subarray(0, i));
    values.length = i;
    const safe = safePack(values, job.base);
    return {
      values: safe.values,
      encoded: safe.encoded,
      error: safe.error ?? thrownRecord(err),
    };
  }
  if (packed) {
    if (inPlace) replyTransfer.push(packed.buffer);
    return { values: packed, encoded: false };
  }
  if (numeric) return { values: Float64Array.from(values as number[]), encoded: false };
  // Results holding objects go as one JSON text when they can (see `JSON_RESULTS`).
  const json = JSON_RESULTS && values.some(isObject) ? encodeJson(values) : undefined;
  if (json) return { values: [], count: values.length, json, encoded: false };
  const safe = safePack(values, job.base);
  return { values: safe.values, encoded: safe.encoded, ...(safe.error ? { error: safe.error } : {}) };
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
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
      return { values, encoded, error: toErrorRecord(err, 0, 'error', context) };
    }
  }
  return { values, encoded };
}
