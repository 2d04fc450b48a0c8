/**
 * What each context can apply of a Pool's `resourceLimits`, checked when the pool is made: a limit
 * a worker could not start with, or that the context would ignore, is refused with
 * `ValidationError` naming the option, not left to crash the program or the worker.
 */

import { ValidationError } from '@multiproc/shared';
import type { ContextName } from '../options.js';
import type { PoolResourceLimits } from './options.js';

/**
 * The smallest `stackSizeMb` for a worker thread, in MB. Measured on Node 20, 22 and 24: 0.3
 * boots a pool's thread; 0.25 overflows while loading; 0.2 or less kills the whole program (V8
 * aborts, Node 22+ segfaults) before any error can be caught. Taken with margin.
 */
export const MIN_STACK_SIZE_MB = 0.5;

/** The largest `stackSizeMb`, in MB: far above any real need; Node fails larger thread stacks with EAGAIN. */
export const MAX_STACK_SIZE_MB = 1024;

/**
 * The smallest `maxOldGenerationSizeMb` for a child process, in MB (a whole number: Node's
 * `--max-old-space-size` takes no fraction). Measured: a child needs about 5 MB of heap to boot
 * and load the pool's code (Node 20-24), 4 or less runs out of memory before it is ready, and a
 * loader (tsx, vitest) or larger task modules take more: taken with margin.
 */
export const MIN_CHILD_HEAP_MB = 16;

/**
 * Checks `limits` against what `context` can apply.
 * @throws {ValidationError} for a `stackSizeMb` outside [{@link MIN_STACK_SIZE_MB},
 * {@link MAX_STACK_SIZE_MB}] (thread); in the 'process' context, a `maxOldGenerationSizeMb` that is
 * not a whole number of at least {@link MIN_CHILD_HEAP_MB}, and `stackSizeMb` or
 * `maxYoungGenerationSizeMb`, which a child process cannot apply.
 */
export function checkResourceLimits(
  limits: PoolResourceLimits | null | undefined,
  context: ContextName,
): void {
  if (!limits) return;
  const { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: young, stackSizeMb: stack } = limits;
  if (context === 'process') {
    if (stack !== undefined)
      throw threadOnly(
        'stackSizeMb',
        "a child's stack is its main thread's, sized by the system (ulimit -s); V8's --stack-size beyond it crashes the child",
      );
    if (young !== undefined)
      throw threadOnly('maxYoungGenerationSizeMb', 'a child takes only a heap limit (--max-old-space-size)');
    if (heap !== undefined && (!Number.isInteger(heap) || heap < MIN_CHILD_HEAP_MB)) {
      throw new ValidationError(
        `Pool: resourceLimits.maxOldGenerationSizeMb must be a whole number of MB, at least ${MIN_CHILD_HEAP_MB}, in the 'process' context (got ${heap}): a child takes it as node --max-old-space-size, which has no fractions, and needs about 5 MB of heap to boot.`,
      );
    }
    return;
  }
  if (stack !== undefined && (stack < MIN_STACK_SIZE_MB || stack > MAX_STACK_SIZE_MB)) {
    throw new ValidationError(
      `Pool: resourceLimits.stackSizeMb must be between ${MIN_STACK_SIZE_MB} and ${MAX_STACK_SIZE_MB} MB (got ${stack}): ${
        stack < MIN_STACK_SIZE_MB
          ? 'a thread with a smaller stack overflows while it loads, or kills the whole program'
          : 'Node cannot create a thread with a stack that large'
      }. Node's default is 4.`,
    );
  }
}

function threadOnly(option: string, why: string): ValidationError {
  return new ValidationError(
    `Pool: resourceLimits.${option} applies to the 'thread' context only: ${why}. Leave it out with context 'process', or use context 'thread'.`,
  );
}
