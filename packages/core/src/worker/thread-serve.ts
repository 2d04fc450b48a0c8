/**
 * tinypool 2.2's thread-worker protocol, served by the pool entry itself. A pool thread is started
 * with the pool entry as its main module (`pool/worker-start.ts`), not with tinypool's
 * `entry/worker.js`, which would load four files and `node:url`, wait for its start message and
 * only then import the pool entry as a second module graph: ~2 ms of CPU per worker (issue 18).
 * The first thread of a program is still started by tinypool's entry (the pool sees tinypool's
 * worker class only once it made one), and so are a bundled app's; that entry imports this module,
 * and nothing is served then.
 *
 * The protocol, as tinypool's entry speaks it: `workerData` is `[{ workerId }, data]`; the first
 * message on `parentPort` carries the task port, a shared counter block and whether to wait in
 * `Atomics.wait` between tasks; the worker answers `{ ready: true }` there, then each task on the
 * port gets `{ taskId, result, error, usedMemory }` back, and the response counter goes up by one.
 */
import type { MessagePort } from 'node:worker_threads';

/**
 * What an answer says for `usedMemory`. tinypool reads it only for `maxMemoryLimitBeforeRecycle`,
 * which a Pool never sets; `process.memoryUsage()` also reads the RSS from the system, which in a
 * worker of a busy process waited milliseconds per answer (issue 18, session 61, perfw61).
 */
const USED_MEMORY = 0;

/** tinypool's start message (`parentPort`). */
interface StartMessage {
  readonly port: MessagePort;
  readonly sharedBuffer: Int32Array;
  readonly useAtomics?: boolean;
}

/** tinypool's task message (the task port). */
interface TaskMessage {
  readonly taskId: number;
  readonly task: unknown;
}

// tinypool's `kRequestCountField` and `kResponseCountField` in the shared counter block.
const REQUEST_COUNT = 0;
const RESPONSE_COUNT = 1;
// tinypool's move() protocol (`common.ts`): a result carrying these is sent with its transfer list.
const TRANSFERABLE = Symbol.for('Tinypool.transferable');
const VALUE = Symbol.for('Tinypool.valueOf');

type Handler = (task: never) => unknown;

/**
 * Serves tinypool's protocol with `handler` when this thread was started with the pool entry as
 * its main module; does nothing under tinypool's own entry (it set `process.__tinypool_state__`
 * before importing the pool entry) or outside a pool thread. Call it before `watchLoop()`, where
 * tinypool's entry listens: its listener on `parentPort` comes before the loop watch's hold.
 */
export function serveThreadAsMain(handler: Handler): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const proc = process as unknown as { __tinypool_state__?: object };
  if (!parentPort || proc.__tinypool_state__ || !Array.isArray(workerData)) return;
  const [own, data] = workerData as [{ workerId?: number }, unknown];
  proc.__tinypool_state__ = {
    isWorkerThread: true,
    isTinypoolWorker: true,
    workerData: data,
    workerId: own?.workerId,
  };
  let started = false;
  parentPort.on('message', (message: StartMessage) => {
    if (started) return; // tinypool posts one start message
    started = true;
    const useAtomics = process.env.PISCINA_DISABLE_ATOMICS !== '1' && message.useAtomics === true;
    const { port, sharedBuffer } = message;
    const state = { useAtomics, busy: 0, seen: 0 };
    parentPort.postMessage({ ready: true });
    port.start();
    port.on('message', (task: TaskMessage) => run(handler, port, sharedBuffer, state, task));
    waitLoop(handler, port, sharedBuffer, state);
  });
}

interface ServeState {
  readonly useAtomics: boolean;
  busy: number;
  seen: number;
}

/** tinypool's `atomicsWaitLoop`: an idle worker waits in `Atomics.wait` for its next task. */
function waitLoop(handler: Handler, port: MessagePort, counters: Int32Array, state: ServeState): void {
  if (!state.useAtomics) return;
  const { receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
  while (state.busy === 0) {
    Atomics.wait(counters, REQUEST_COUNT, state.seen);
    state.seen = Atomics.load(counters, REQUEST_COUNT);
    let entry: { message: TaskMessage } | undefined;
    while ((entry = receiveMessageOnPort(port)) !== undefined)
      run(handler, port, counters, state, entry.message);
  }
}

/** One task, answered as tinypool's entry answers it. */
function run(
  handler: Handler,
  port: MessagePort,
  counters: Int32Array,
  state: ServeState,
  message: TaskMessage,
): void {
  state.busy++;
  void (async () => {
    let response: object;
    let transferList: unknown[] = [];
    try {
      let result = await handler(message.task as never);
      if (isTransferable(result)) {
        transferList = result[TRANSFERABLE] as unknown[];
        result = result[VALUE];
      }
      response = { taskId: message.taskId, result, error: null, usedMemory: USED_MEMORY };
      // tinypool reads console's streams first: those exist once anything was printed.
      const streams = console as unknown as { _stdout?: NodeJS.WriteStream; _stderr?: NodeJS.WriteStream };
      await drained(streams._stdout || process.stdout);
      await drained(streams._stderr || process.stderr);
    } catch (error) {
      response = { taskId: message.taskId, result: null, error, usedMemory: USED_MEMORY };
    }
    state.busy--;
    port.postMessage(response, transferList as never);
    Atomics.add(counters, RESPONSE_COUNT, 1);
    waitLoop(handler, port, counters, state);
  })().catch((error: unknown) =>
    process.nextTick(() => {
      throw error;
    }),
  );
}

function isTransferable(value: unknown): value is Record<symbol, unknown> {
  return typeof value === 'object' && value !== null && TRANSFERABLE in value && VALUE in value;
}

/** As tinypool's entry: what a standard stream still buffers is written before the answer. */
function drained(stream: NodeJS.WriteStream | undefined): Promise<void> | undefined {
  if (!stream || stream.writableLength === 0) return undefined;
  return new Promise((resolve) => stream.write('', () => resolve()));
}
