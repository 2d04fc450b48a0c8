/**
 * What each context can apply of a Pool's `resourceLimits`, checked when the pool is made: a limit
 * a worker could not start with, or that the context would ignore, is refused with
 * `ValidationError` naming the option, not left to crash the program or the worker.
 */

import { ValidationError } from '@multiproc/shared';
import { LIMITED_HEAP_YOUNG_GENERATION_MB } from '../internal/thread-heap.js';
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
 * The smallest `maxOldGenerationSizeMb` for a worker thread, in MB. Measured on Node 20, 22 and 24:
 * with 2 MB or less Node 22 and 24 abort the whole program as the thread's heap is made ("Fatal
 * JavaScript out of memory: GC during deserialization") before any error can be caught; from 2.5
 * MB the thread fails to boot with ERR_WORKER_OUT_OF_MEMORY (the pool's `WorkerStartError`, which
 * says to raise the limit) until 6 MB (Node 20), 7 (22) or 8 (24) let it load the pool's code.
 */
export const MIN_THREAD_HEAP_MB = 4;

/**
 * The largest `maxYoungGenerationSizeMb` with a `maxOldGenerationSizeMb`, in MB (the default then,
 * `internal/thread-heap.ts`). Measured on Node 24 with a task that fills 64 MB of strings: a young
 * generation of 64 MB aborted the whole program ("FATAL ERROR: Reached heap limit") in 3 of 8
 * runs, 96 and 200 in 1 of 3, 48 in none; Node 20 and 22 survived 200.
 */
export const MAX_LIMITED_YOUNG_GENERATION_MB = LIMITED_HEAP_YOUNG_GENERATION_MB;

/**
 * The program's V8 heap flags that take precedence over a limit, by limit: V8 sizes every new heap
 * from these process-wide flags when they are set, over the limits given to a Worker
 * (nodejs/node#43991), and in a child over a later `--max-old-space-size` too
 * (`--max-heap-size`, `--max-old-space-size-percentage`).
 */
const OVERRIDING_FLAGS: Record<ContextName, Partial<Record<keyof PoolResourceLimits, RegExp>>> = {
  thread: {
    maxOldGenerationSizeMb: /^--max[-_](old[-_]space[-_]size([-_]percentage)?|heap[-_]size)$/,
    maxYoungGenerationSizeMb: /^--max[-_](semi[-_]space[-_]size|heap[-_]size)$/,
  },
  process: { maxOldGenerationSizeMb: /^--max[-_](old[-_]space[-_]size[-_]percentage|heap[-_]size)$/ },
};

/**
 * The flag of this program (its command line, then `NODE_OPTIONS`) that would replace `option`'s
 * value in `context`, as written (`--max-old-space-size=4096 (in NODE_OPTIONS)`), or `undefined`.
 * A thread's `--max-old-space-size` equal to the limit changes nothing and is not reported.
 */
function overridingFlag(
  option: keyof PoolResourceLimits,
  value: number,
  context: ContextName,
): string | undefined {
  const pattern = OVERRIDING_FLAGS[context][option];
  if (pattern === undefined) return undefined;
  const sources: Array<[string[], string]> = [
    [process.execArgv, ''],
    [(process.env.NODE_OPTIONS ?? '').split(/\s+/), ' (in NODE_OPTIONS)'],
  ];
  for (const [args, where] of sources) {
    for (const arg of args) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      if (!pattern.test(name)) continue;
      if (/^--max[-_]old[-_]space[-_]size$/.test(name) && Number(arg.slice(eq + 1)) === value) continue;
      return `${arg}${where}`;
    }
  }
  return undefined;
}

/**
 * A limit of `limits` that a heap flag of this program would replace in `context`
 * ({@link overridingFlag}): refused, since the pool's workers would run with the flag's size.
 */
function checkOverridden(limits: PoolResourceLimits, context: ContextName): void {
  for (const option of ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb'] as const) {
    const value = limits[option];
    const flag = value === undefined ? undefined : overridingFlag(option, value, context);
    if (flag === undefined) continue;
    const remedy =
      context === 'thread'
        ? `Use context 'process' (a child takes the limit as its own --max-old-space-size), or run the program without ${flag.split('=')[0]}`
        : `Run the program without ${flag.split('=')[0]}`;
    throw new ValidationError(
      `Pool: resourceLimits.${option} (${value}) would not apply: this program runs with ${flag}, ` +
        `and Node sizes every ${context === 'thread' ? 'worker thread' : 'child process'}'s heap from that flag instead. ${remedy}.`,
    );
  }
}

/**
 * Checks `limits` against what `context` can apply.
 * @throws {ValidationError} for a `stackSizeMb` outside [{@link MIN_STACK_SIZE_MB},
 * {@link MAX_STACK_SIZE_MB}], a `maxOldGenerationSizeMb` under {@link MIN_THREAD_HEAP_MB} or a
 * `maxYoungGenerationSizeMb` over {@link MAX_LIMITED_YOUNG_GENERATION_MB} with it (thread); in the 'process' context, a `maxOldGenerationSizeMb` that is not a whole number of at
 * least {@link MIN_CHILD_HEAP_MB}, and `stackSizeMb` or
 * `maxYoungGenerationSizeMb`, which a child process cannot apply; a heap limit that a V8 heap flag
 * of this program (`--max-old-space-size` for threads, `--max-heap-size`, ...) would replace.
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
    checkOverridden(limits, context);
    return;
  }
  if (heap !== undefined && heap < MIN_THREAD_HEAP_MB) {
    throw new ValidationError(
      `Pool: resourceLimits.maxOldGenerationSizeMb must be at least ${MIN_THREAD_HEAP_MB} MB in the 'thread' context (got ${heap}): with less, Node 22 and later abort the whole program as a worker thread starts. A thread needs about 8 MB to boot and load the pool's code; give it 16 or more.`,
    );
  }
  if (heap !== undefined && young !== undefined && young > MAX_LIMITED_YOUNG_GENERATION_MB) {
    throw new ValidationError(
      `Pool: resourceLimits.maxYoungGenerationSizeMb must be at most ${MAX_LIMITED_YOUNG_GENERATION_MB} MB with a maxOldGenerationSizeMb (got ${young}): Node stops a worker thread that reaches its heap limit with 16 MB to spare, which a larger young generation can overshoot, and Node 24 then aborts the whole program ("FATAL ERROR: Reached heap limit") instead of ending the worker. Leave it out (${MAX_LIMITED_YOUNG_GENERATION_MB} MB then), or raise maxOldGenerationSizeMb instead.`,
    );
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
  checkOverridden(limits, context);
}

function threadOnly(option: string, why: string): ValidationError {
  return new ValidationError(
    `Pool: resourceLimits.${option} applies to the 'thread' context only: ${why}. Leave it out with context 'process', or use context 'thread'.`,
  );
}
