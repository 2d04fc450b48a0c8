/**
 * Which tasks a pool's workers have answered a call of: a timeout that passes before any has (the
 * first `get(1000)` of a port of Python's pool example) says what the time may have gone to, since a
 * worker's first task also waits for the worker to start and to import the task's module.
 */
import type { TaskSpec } from '../internal/batch.js';

// A pool keeps one spec per task reference (`Engine.spec`), so this is per pool and per task.
const answered = new WeakSet<TaskSpec>();

/** A worker answered a call (or map chunk) of `spec`, with its result or with the task's error. */
export function noteAnswered(spec: TaskSpec): void {
  answered.add(spec);
}

/**
 * What a `TimeoutError` of a call of `spec` adds after its first sentence: nothing once a worker has
 * answered a call of that task in this pool, or for a timeout of 0 (a deadline already passed).
 */
export function firstCallHint(spec: TaskSpec | undefined, ms: number): string {
  if (spec === undefined || ms <= 0 || answered.has(spec)) return '';
  return (
    " No call of this task had finished in this pool yet: a worker's first task also waits for the" +
    " worker to start and import the task's module (under tsx, compile it too: seconds on a busy" +
    ' machine). Give the first calls more time, or warm the pool up first (the Pool guide, "The' +
    ' first task of each worker").'
  );
}
