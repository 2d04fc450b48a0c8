/**
 * The names the BullMQ `Pool` answers with advice, as the local `Pool` does (Python's spellings,
 * piscina's, tinypool's and workerpool's members, `using` without `await`): the local pool's
 * advice, but where it names something that belongs to the workers here.
 */
import { definePoolNames } from '@multiproc/core/internal';

/** Marks the pool names on the BullMQ `Pool`'s prototype (see `definePoolNames()` in core). */
export function defineBullmqPoolNames(prototype: object): void {
  definePoolNames(prototype, {
    needsDrain: {
      message:
        'There is no needsDrain here: jobs wait in Redis without a bound. To keep a bounded number ' +
        'out, use imap() or imapUnordered(), which read their input lazily with at most `inflight` jobs out.',
    },
    recycleWorkers: {
      message:
        "tinypool's recycleWorkers() is not provided: start multiproc-worker with " +
        '--max-tasks-per-child <n> to replace a local worker after that many tasks.',
    },
    context: {
      message:
        "A pool on BullMQ has no context of its own: its tasks run in each worker's, set with " +
        'multiproc-worker --context thread or --context process.',
    },
  });
}
