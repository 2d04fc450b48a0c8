/**
 * The errors of a wait that nothing left in the program could ever end (`EOFError`s with the
 * reason). Apart from `errors.ts`, which the package's index loads: only the code loaded on first
 * use throws them, and the index exports every name that code imports from the index's modules, so
 * the build needs no chunk besides the index (issue #18).
 */
import { EOFError } from '../errors.js';

/** @internal The error of a wait that nothing left in the program could ever end. */
export function waitsForever(method: string): EOFError {
  return new EOFError(
    `${method} would wait forever: no other copy that could answer it is still open in a live ` +
      'thread or process, and this program has nothing else left to do. Close the ends you do not ' +
      'use (every copy of the other end closed gives EOF), or keep the worker that answers alive.',
  );
}

/**
 * @internal The error of a `JoinableQueue.join()` that nothing left in the program could end:
 * `unfinished` tasks, `queued` of them items still in the queue (the rest were got and never
 * marked done; a copy's counts are the last its home reported).
 */
export function joinWaitsForever(unfinished: number, queued: number): EOFError {
  const count = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`);
  const got = unfinished - queued;
  const parts: string[] = [];
  if (got > 0)
    parts.push(
      `${count(got, 'item was', 'items were')} taken by a worker that ended (returned, threw, ` +
        'exited or was killed) before it called taskDone() for it, or by a holder that never called it',
    );
  if (queued > 0)
    parts.push(
      `${count(queued, 'item is', 'items are')} still in the queue, which nothing left can get (an ` +
        'item a worker got just before it was killed may be among them: its get was not confirmed)',
    );
  const what =
    unfinished > 0
      ? `${count(unfinished, 'task is', 'tasks are')} unfinished: ${parts.join(', and ')}`
      : 'Its tasks are unfinished';
  return new EOFError(
    `JoinableQueue.join() would wait forever. ${what}; no other copy of the queue is open in a live ` +
      'thread or process, and this program has nothing else left to do. Call taskDone() once for ' +
      'every item got, in a finally block so that an item whose work failed counts too; where a ' +
      'worker may die before its taskDone(), count the items it finished yourself instead of joining.',
  );
}
