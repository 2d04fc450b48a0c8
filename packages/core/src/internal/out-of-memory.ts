/**
 * Telling that a worker died of memory: a thread ends with `ERR_WORKER_OUT_OF_MEMORY` (its
 * `resourceLimits`), a child process is aborted by V8 (SIGABRT) after writing "JavaScript heap
 * out of memory" to its stderr, which the host reads line by line (`output.ts`).
 */

/** What V8 writes to stderr before it aborts a process whose JS heap reached its limit. */
const V8_HEAP_MESSAGE = 'JavaScript heap out of memory';

/** Whether `text`, a child's stderr, holds V8's out-of-memory message. */
export function saysHeapOutOfMemory(text: string): boolean {
  return text.includes(V8_HEAP_MESSAGE);
}

/** The cause recorded for a child process V8 aborted for memory (a thread's is Node's own error). */
export class ChildOutOfMemory extends Error {
  readonly code = 'ERR_CHILD_OUT_OF_MEMORY';
  constructor() {
    super(`The child process's ${V8_HEAP_MESSAGE} (V8 aborted it).`);
  }
}

/**
 * The line a `Process` adds to its stderr when its worker ran out of memory, after Node's or V8's
 * own report, saying what to do (Python prints `MemoryError`'s traceback; a JS heap has a limit).
 */
export function processOutOfMemoryLine(pid: number, threadId?: number): string {
  const who = threadId === undefined ? `pid ${pid}` : `thread ${threadId}`;
  return (
    `multiproc: the Process (${who}) ran out of memory: its JavaScript heap reached its limit and it ` +
    'was stopped. Raise the limit (node --max-old-space-size=<MB>) or use less memory in the target.\n'
  );
}

/** Whether a worker's exit `cause` is memory: a thread's `ERR_WORKER_OUT_OF_MEMORY` or a child's. */
export function isOutOfMemory(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  return code === 'ERR_WORKER_OUT_OF_MEMORY' || code === 'ERR_CHILD_OUT_OF_MEMORY';
}

/**
 * The line a pool prints for a thread worker that ran out of memory, instead of Node's
 * `ERR_WORKER_OUT_OF_MEMORY` and its stack, which names only Node's internal frames (the call it
 * ran rejects with `WorkerCrashedError` saying what to do; a child's V8 prints its own report).
 */
export function poolThreadOutOfMemoryLine(threadId: number): string {
  return (
    `multiproc: a pool worker (thread ${threadId}) ran out of memory: its JavaScript heap reached its ` +
    'limit and it was stopped; the pool replaces it.\n'
  );
}
