/**
 * Worker side of `Process`: the entry every 'thread' worker and 'process' child starts with.
 * It records who it is (so `isMain()` is false and `currentProcess()` answers), imports the task's
 * module, decodes the arguments and runs the target. A target that throws ends the worker with 1
 * (its stack printed to stderr at once, as Python) once the non-daemon Processes it started have
 * ended, as Python joins them. One that returns ends it as a Node program
 * ends: once what it started has run (0, the `process.exitCode` it set, 1 for an unhandled
 * rejection or a later uncaught error), or whatever it passed to `process.exit()`. A target whose
 * promise never settles, with nothing else left to run, ends with {@link UNSETTLED_EXIT_CODE} and
 * a line on stderr, as Node does for an unsettled top-level await, instead of passing for a success;
 * so does one whose task module never finished loading (its own top-level await never settled),
 * and the line then says so.
 */
import {
  guardChildProcess,
  isForkedChild,
  onChannelClosed,
  openedOutput,
  reapedByParent,
  refuseMainProgram,
} from './child-guard.js';
import { enableCompileCache } from './compile-cache.js';
import { writeOutputDirectly } from './direct-output.js';
import { exitAfterChildren } from './join-children.js';
import { restoreProcess } from './own-process.js';

// `node:worker_threads` is read only in a thread, where it is loaded already: in a child it would
// load ~25 stream and worker modules, 2.5 to 5 ms of CPU per child (issue #18).
refuseMainProgram('@multiproc/core/worker/process');
const inChild = isForkedChild();
const threads = inChild ? undefined : process.getBuiltinModule('node:worker_threads');

// First, before any user code: a child's output is blocking and it never outlives its parent. A
// thread whose host writes to descriptor 1 itself does so too, a whole line at a time: a line it
// prints is out before anything it sends next (see direct-output.ts).
if (inChild) guardChildProcess();
else if ((threads!.workerData as StartMessage | SpareMessage).directOutput) writeOutputDirectly();
// Before the task module and the packages it imports are loaded.
enableCompileCache();

import '@multiproc/ipc'; // registers the decoders of connections and queues in this realm
import { describeError, describeThrown } from '@multiproc/shared';
import { setWorkerIdentity } from '../identity.js';
import { decodeValue } from '../internal/error-record.js';
import { callAfterRefs, importTaskModule, loadTask } from '../internal/load-task.js';
import { ifLoopStaysDry, type LoopStock, takeLoopStock } from '../internal/loop-work.js';
import {
  type InheritedState,
  type PreloadFailedMessage,
  READY_MESSAGE,
  type SpareMessage,
  type StartMessage,
  TERMINATE_GRACE_MS,
} from '../internal/runner.js';

/**
 * Resolves once what `stream` holds has been handed on. A stream holding nothing is done at once:
 * in a thread, `write('')` would wait a round trip for the main thread's ack (issue #18).
 */
function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writable || stream.writableLength === 0) return resolve();
    stream.write('', () => resolve());
  });
}

/** Lets connections and queues the target used deliver what it sent before the worker exits. */
async function flushIpc(): Promise<void> {
  const flush = (globalThis as any)[Symbol.for('multiproc.ipc.flush')] as
    | ((() => Promise<void>) & { idle?: () => boolean })
    | undefined;
  // No copy of a queue or connection to flush (the usual target): no timer, no turn (issue #18).
  if (!flush || flush.idle?.()) return;
  // Bounded: an owner that went away must not keep this worker from exiting.
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FLUSH_LIMIT_MS);
  });
  await Promise.race([flush().catch(() => {}), limit]);
  clearTimeout(timer);
}

const FLUSH_LIMIT_MS = 5000;
/** Node's exit code for an unsettled top-level await; here, a target that never settled. */
const UNSETTLED_EXIT_CODE = 13;

async function run(start: StartMessage): Promise<void> {
  setWorkerIdentity(start.identity);
  const source = inChild ? 'process' : 'thread';
  // A daemon thread's output must not be in flight when the program ends (an unfinished line
  // waits on the output board, which the main thread writes out then); not where its lines must
  // reach a replaced `process.stdout.write` (a capture, a logger), as a thread Process's do.
  const told = (threads?.workerData as StartMessage | SpareMessage | undefined)?.directOutput;
  if (!inChild && start.identity.daemon && told !== false) writeOutputDirectly();
  // The channel only carried the start message; it must not keep the child alive by itself.
  // (Deno throws on reading process.channel inside a worker thread.)
  if (inChild) process.channel?.unref();
  // A daemon's program that ended by `process.exit()` (or died) has its reaper send SIGTERM, then
  // SIGKILL after the grace (internal/daemon-end.ts): the channel's close, which comes first, must
  // not end this child before its SIGTERM handler can run. Exits by itself should neither come.
  if (inChild && start.identity.daemon && reapedByParent()) {
    onChannelClosed((code) => setTimeout(() => process.exit(code), 2 * TERMINATE_GRACE_MS));
  }
  let settled = false;
  // Until the task module has loaded, what never settles is its top-level await (or that of a
  // module it imports): the target has not run yet.
  let loaded = false;
  // The event loop ran dry while the target's promise was pending. Other 'beforeExit' listeners
  // may still give it work (ipc ends a wait nothing can answer, or lets a manager served here read
  // a request one turn later): the verdict waits until they all ran, and is given only if none of
  // them scheduled any (internal/loop-work.ts). What the loop held as it ran dry is not work: a
  // child's stdout pipe its target wrote to stays listed, ref'd and idle.
  let dryStock: LoopStock = [];
  const takeStock = (): void => {
    dryStock = takeLoopStock();
  };
  const onLoopDry = (): void => {
    if (settled) return;
    ifLoopStaysDry(dryStock, () => {
      if (settled) return;
      process.off('beforeExit', onLoopDry);
      process.stderr.write(`Process ${start.identity.name}: ${unsettled(loaded, start.module)}\n`);
      process.exit(UNSETTLED_EXIT_CODE);
    });
  };
  process.prependListener('beforeExit', takeStock);
  process.on('beforeExit', onLoopDry);
  let threw = false;
  try {
    if (start.inherit) inherit(start.inherit);
    const target = await loadTask(start.module, start.taskName);
    loaded = true;
    const args = start.encoded ? decodeValue(start.args, source) : start.args;
    await callAfterRefs(target, args);
    settled = true;
  } catch (err) {
    settled = true;
    restoreProcess(); // the target may have replaced it (own-process.ts)
    process.stderr.write(`Process ${start.identity.name}:\n${describeError(err)}\n`);
    threw = true;
  }
  restoreProcess();
  await flushIpc();
  // A child's output streams are blocking: only those something used are flushed (not created).
  await Promise.all((inChild ? openedOutput() : [process.stdout, process.stderr]).map(flush));
  // Python joins a process's non-daemon children however its target ends (`_exit_function` in
  // `_bootstrap`'s finally): a target that threw waits for them too, then fails with 1.
  if (threw) exitAfterChildren(1);
  // A target that returned ends the worker as a Node program ends: what it started and did not
  // await runs to the end (Python joins the non-daemon threads too), an unhandled rejection or a
  // late throw is printed and gives 1, and a `process.exitCode` it set is kept. Nothing of ours
  // holds the event loop: the channel is unref'd above, ipc copies let go once flushed.
}

/** What a worker whose event loop ran dry says: which promise never settled. */
function unsettled(loaded: boolean, module: string): string {
  const code = `(exit code ${UNSETTLED_EXIT_CODE}, as for an unsettled top-level await)`;
  return loaded
    ? `the target returned a promise that never settled, and nothing else was left to run ${code}.`
    : `the task module ${module} never finished loading: its top-level await (or that of a module it imports) never settled, and nothing else was left to run, so the target never ran ${code}.`;
}

/**
 * A warm spare takes the parent's `process.env` and working directory as they are at `start()`.
 * @throws {Error} from `process.chdir()` when that directory is gone; the target then fails (1).
 */
function inherit(state: InheritedState): void {
  if (state.env) {
    for (const key of state.env.unset) delete process.env[key];
    Object.assign(process.env, state.env.set);
  }
  if (state.cwd !== undefined && inChild) process.chdir(state.cwd);
}

/** A warm spare: import what it was told to ahead, then wait for the real start message. */
async function prepare(spare: SpareMessage): Promise<void> {
  setWorkerIdentity(SPARE_IDENTITY);
  for (const url of spare.preload) {
    // Not fatal here (a start imports the module again and reports its own failure), but the host
    // warns once, so a preload that never works does not pass for a warm start.
    await importTaskModule(url).catch((err: unknown) => {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : describeThrown(err);
      const message: PreloadFailedMessage = { kind: 'mp:preload-failed', module: url, error };
      if (inChild) process.send?.(message);
      else threads!.parentPort!.postMessage(message);
    });
  }
}

const SPARE_IDENTITY = {
  name: 'WarmSpare',
  identity: [],
  daemon: false,
  context: inChild ? 'process' : 'thread',
  parent: { pid: inChild ? process.ppid : process.pid, name: 'MainProcess' },
} as const;

if (inChild) {
  // Node booted and runs JavaScript: a child that dies from here on started (its exit code is the
  // target's); one that dies before never did (child-runner.ts: WorkerStartError from join()).
  process.send?.(READY_MESSAGE);
  // A start can come while the spare still preloads: it waits, as a thread spare's does, so a
  // preloaded module's top level sees the env of the spare's making, not the start's.
  let preloading: Promise<void> = Promise.resolve();
  process.on('message', function onMessage(message: StartMessage | SpareMessage) {
    if (message.kind === 'mp:spare') return void (preloading = prepare(message));
    process.off('message', onMessage);
    void preloading.then(() => run(message));
  });
} else {
  const { parentPort, workerData } = threads!;
  if ((workerData as SpareMessage).kind === 'mp:spare') {
    void prepare(workerData as SpareMessage).then(() => {
      parentPort!.once('message', (message: StartMessage) => void run(message));
    });
  } else {
    void run(workerData as StartMessage);
  }
}
