/**
 * Host side: the stack a worker thread gets, so recursion that works in the program works in its
 * threads. `node --stack-size=<KiB>` raises V8's limit for the main thread only (and for a forked
 * child, which inherits the flag); Node gives every Worker a stack of its own, `stackSizeMb` MB
 * (default 4) less 192 KiB it keeps below V8's limit (`kStackBufferSize`, Node's `node_worker.cc`),
 * whatever the flag says. Measured on Node 20, 22 and 24: a thread of `stackSizeMb` M recurses as
 * deep as a main thread of `--stack-size=` 1024 M - 192, frame for frame.
 *
 * So a thread is given the stack of the realm that starts it, when that is larger than Node's
 * default: the main thread's `--stack-size` (the last one on the command line; Node refuses it in
 * `NODE_OPTIONS`, and `v8.setFlagsFromString()` does not move a running thread's limit), or a
 * thread's own `stackSizeMb` (a pool or Process started inside a task). A smaller program stack
 * never shrinks a thread below Node's default (a loader such as tsx needs room to boot). A
 * `stackSizeMb` the user gave in a Pool's `resourceLimits` is kept as given.
 */
import type { ResourceLimits } from 'node:worker_threads';

/** Node's default `stackSizeMb` for a Worker, in MB. */
const NODE_THREAD_STACK_MB = 4;
/** What Node keeps of a Worker's stack below V8's limit, in KiB (`kStackBufferSize`). */
const NODE_STACK_BUFFER_KIB = 192;
/** Room for the frames a thread holds below a task (its entry, tinypool's protocol), in KiB. */
const ENTRY_FRAMES_KIB = 64;
/** Node fails larger thread stacks (EAGAIN); the Pool's own bound for `stackSizeMb` too. */
const MAX_THREAD_STACK_MB = 1024;

/** `--stack-size=N` or `--stack_size=N`, as V8 reads it (a value in KiB; no space form). */
const STACK_FLAG = /^--stack[-_]size=(\d+)$/;

/** The stack this realm runs with, in KiB of V8's limit, or `undefined` for V8's and Node's defaults. */
function programStackKib(): number | undefined {
  // Read when a thread starts, not at import: a forked child never loads node:worker_threads.
  const { isMainThread, resourceLimits } = process.getBuiltinModule('node:worker_threads');
  if (!isMainThread) {
    const mb = resourceLimits.stackSizeMb;
    return mb !== undefined && mb > NODE_THREAD_STACK_MB ? mb * 1024 - NODE_STACK_BUFFER_KIB : undefined;
  }
  let kib: number | undefined;
  for (const arg of process.execArgv) {
    const match = STACK_FLAG.exec(arg);
    if (match) kib = Number(match[1]); // V8 takes the last one
  }
  return kib;
}

/**
 * The `stackSizeMb` a new thread needs to recurse as deep as this realm, or `undefined` when
 * Node's default is enough.
 */
export function inheritedStackMb(): number | undefined {
  const kib = programStackKib();
  if (kib === undefined) return undefined;
  const mb = (kib + NODE_STACK_BUFFER_KIB + ENTRY_FRAMES_KIB) / 1024;
  return mb > NODE_THREAD_STACK_MB ? Math.min(mb, MAX_THREAD_STACK_MB) : undefined;
}

/**
 * A Worker's `resourceLimits`: those `given` (a Pool's option), with `stackSizeMb` the program's
 * (see the module comment) unless given; `undefined` when there is nothing to set.
 */
export function threadResourceLimits(given?: ResourceLimits | null): ResourceLimits | undefined {
  const stack = given?.stackSizeMb === undefined ? inheritedStackMb() : undefined;
  if (stack === undefined) return given ?? undefined;
  return { ...given, stackSizeMb: stack };
}
