/**
 * tinypool 2.2's child-process protocol, served by the pool entry itself. A pool child is forked
 * with tinypool's `entry/process.js` as its script, but with `-e` code in its Node flags
 * (`pool/worker-start.ts`) that imports the pool entry instead: Node runs the `-e` code and only
 * passes the script on in `process.argv`, as it was. So tinypool's entry, its two helper files and
 * `node:url` are never loaded, nor the pool entry imported as a second module graph once the start
 * message came: ~2-3 ms of a child's CPU, on the way to its first task (issue 18). Every child,
 * the program's first too: unlike a thread (`thread-serve.ts`) this needs no tinypool class seen.
 * A bundled app's children keep tinypool's entry, which imports this module: nothing is served then.
 *
 * The protocol, as tinypool's entry speaks it, every message carrying `__tinypool_worker_message__`:
 * the start message (`source: 'pool'`) is answered `{ ready: true, source: 'pool' }`; each task
 * (`source: 'port'`, `{ taskId, task }`) gets `{ source: 'port', taskId, result, error, usedMemory }`.
 */
import { openedOutput } from './child-guard.js';

interface TinypoolMessage {
  readonly __tinypool_worker_message__?: unknown;
  readonly source?: unknown;
  readonly taskId?: number;
  readonly task?: unknown;
}

type Handler = (task: never) => unknown;

/**
 * Serves tinypool's protocol with `handler` when this child was started with the pool entry's
 * `-e` code; does nothing under tinypool's own entry (it set `process.__tinypool_state__` before
 * importing the pool entry). Messages that came before are not lost: Node holds a child's messages
 * until its first `'message'` listener is added.
 */
export function serveChildAsMain(handler: Handler): void {
  const proc = process as unknown as { __tinypool_state__?: object; _eval?: string };
  const flags = process.execArgv;
  const at = flags.lastIndexOf('-e');
  if (proc.__tinypool_state__ || at === -1 || !flags[at + 1]?.startsWith('import (')) return;
  // The program's flags as they were: neither a task nor this child's own workers see the -e code.
  flags.splice(at, 2);
  delete proc._eval;
  // Nor the globals Node gives -e code: an ES task module would see `require` and `module` (code
  // that tells ES modules from CommonJS by `typeof require`, as UMD bundles do, would take the wrong way).
  const evalGlobals = globalThis as Record<string, unknown>;
  for (const name of ['require', 'module', 'exports', '__filename', '__dirname']) delete evalGlobals[name];
  // Nor every builtin module by its name (`fs`, `http`, `zlib`, ...), which Node gives -e code as
  // lazy accessors whose setter (`setReal`) replaces them: a task would see `typeof http ===
  // 'object'` here and 'undefined' in a thread or the program. A global that was there before
  // (`process`, `crypto`) is never one.
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (Object.getOwnPropertyDescriptor(globalThis, name)?.set?.name === 'setReal') delete evalGlobals[name];
  }
  proc.__tinypool_state__ = {
    isChildProcess: true,
    isTinypoolWorker: true,
    workerData: null,
    workerId: Number(process.env.TINYPOOL_WORKER_ID),
  };
  process.on('message', (message: TinypoolMessage) => {
    if (!message?.__tinypool_worker_message__) return;
    if (message.source === 'pool') {
      process.send!({ ready: true, source: 'pool', __tinypool_worker_message__: true }, () => {});
    } else if (message.source === 'port') {
      void run(handler, message).catch((error: unknown) =>
        process.nextTick(() => {
          throw error;
        }),
      );
    }
  });
}

/** One task, answered as tinypool's entry answers it. */
async function run(handler: Handler, message: TinypoolMessage): Promise<void> {
  const { taskId } = message;
  let response: object;
  try {
    const result = await handler(message.task as never);
    response = answer(taskId, result, null);
    // What a stream this child opened still buffers is written before the answer, as tinypool's
    // entry does; a stream nobody opened holds nothing, and is not made here (child-guard.ts).
    for (const stream of openedOutput()) await drained(stream);
  } catch (error) {
    response = answer(taskId, null, serializeError(error));
  }
  process.send!(response);
}

// tinypool reads `usedMemory` only for the `maxMemoryLimitBeforeRecycle` a Pool never sets (thread-serve.ts).
const USED_MEMORY = 0;

function answer(taskId: number | undefined, result: unknown, error: unknown): object {
  return {
    source: 'port',
    __tinypool_worker_message__: true,
    taskId,
    result,
    error,
    usedMemory: USED_MEMORY,
  };
}

/** As tinypool's entry: an error goes as a plain object of its fields. */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  return { ...error, name: error.name, stack: error.stack, message: error.message };
}

function drained(stream: NodeJS.WriteStream): Promise<void> | undefined {
  if (stream.writableLength === 0) return undefined;
  return new Promise((resolve) => stream.write('', () => resolve()));
}
