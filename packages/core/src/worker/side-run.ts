/**
 * Worker side of a thread slot's side lane (host side and protocol: `pool/side-lane.ts`): map
 * chunks of numbers the host posts on the slot's port, outside tinypool. They run one at a time,
 * in the order they came, between tinypool's tasks; SIDE_RUNNING in the slot's control block says
 * which one runs, so a host that sees this thread die fails that chunk alone.
 */
import type { MessagePort } from 'node:worker_threads';
import type {
  MapReply,
  SideCancel,
  SideChunk,
  SideReply,
  SlotExit,
  SlotJoining,
  TaskSpec,
} from '../internal/batch.js';
import { clockMs } from '../internal/clock.js';
import { isCloneRefusal } from '../internal/clone-refusal.js';
import { SIDE_CANCEL, SIDE_ITEM, SIDE_RUNNING } from '../internal/control.js';
import { toErrorRecord } from '../internal/error-record.js';
import { lookupTask } from '../task.js';
import { collectDroppedCopies } from './ipc-flush.js';
import { exitAfterChildren, hasNonDaemonChildren } from './join-children.js';
import { endWhenDry, taskBegins, taskEnds } from './loop-watch.js';
import { replyTransfer, runNumberChunk, thrownRecord } from './map-run.js';
import { refusedMap } from './reply-guard.js';
import { type Reporter, Step } from './reporter.js';

/** Whether a chunk may run here now (its pool's initializer succeeded, no ipc copy to flush). */
export type SideGate = (init: string | null) => boolean;

let port: MessagePort | undefined;
let words: Int32Array | undefined;
let replies: MessagePort | undefined;
let gate: SideGate = () => false;
const queue: SideChunk[] = [];
const cancelled = new Set<number>();
let pumping = false;
/** What waits for the queued chunks to have run (`sideIdle`). */
const idleWaiters: Array<() => void> = [];

/**
 * Resolves once the side chunks posted here so far have run (at once when none is queued): a batch
 * the host emptied because this thread was running them answers then (`SideLanes.divert`).
 */
export function sideIdle(): Promise<void> | undefined {
  if (port && !pumping) pump();
  if (!pumping) return undefined;
  return new Promise((resolve) => idleWaiters.push(resolve));
}

/** Listens for side chunks on the slot's port (called once, when the worker receives it). */
export function listenForSideChunks(
  slotPort: MessagePort,
  control: SharedArrayBuffer,
  canRun: SideGate,
): void {
  port = slotPort;
  words = new Int32Array(control, 0, 8);
  gate = canRun;
  port.on('message', (message: SideChunk | SideCancel | SlotExit) => {
    accept(message);
    if (!pumping) pump();
  });
}

function accept(message: SideChunk | SideCancel | SlotExit): void {
  // The pool ends this idle thread normally (SlotExit): exit's hooks tell its managers so.
  // The non-daemon Processes its tasks started are joined first (join-children.ts).
  if ('exit' in message) {
    // Said before the host's bound for an unresponsive thread runs out, whenever they started.
    if (hasNonDaemonChildren()) port!.postMessage({ joining: true } satisfies SlotJoining);
    // What its tasks left behind (a timer) runs first, as a Process ends (loop-watch.ts).
    endWhenDry(exitAfterChildren);
    return;
  }
  if ('cancel' in message) {
    cancelled.add(message.cancel);
    return;
  }
  if (message.replies) replies = message.replies;
  queue.push(message);
}

/** Runs the queued chunks in order; awaits only a chunk that left the synchronous path. */
function pump(): void {
  pumping = true;
  for (;;) {
    // A cancel posted after a chunk arrives behind it: read what is waiting before starting one.
    // Read at use: a pool worker in a child process never gets here and loads no worker_threads.
    const { receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
    for (let m = receiveMessageOnPort(port!); m; m = receiveMessageOnPort(port!)) accept(m.message);
    const chunk = queue.shift();
    if (!chunk) break;
    if (cancelled.delete(chunk.seq) || Atomics.load(words!, SIDE_CANCEL) === chunk.seq) {
      answer({ seq: chunk.seq, skipped: true });
      continue;
    }
    const fn = lookupTask(chunk.spec.module, chunk.spec.taskName);
    if (!fn || !gate(chunk.init)) {
      answer({ seq: chunk.seq, refused: true });
      continue;
    }
    const map = run(chunk, chunk.spec, fn as (item: number) => unknown);
    if (map instanceof Promise) {
      void map.then((done) => {
        finish(chunk.seq, done, chunk.job.base);
        pump();
      });
      return;
    }
    finish(chunk.seq, map, chunk.job.base);
  }
  pumping = false;
  for (const resolve of idleWaiters.splice(0)) resolve();
}

function run(chunk: SideChunk, spec: TaskSpec, fn: (item: number) => unknown): MapReply | Promise<MapReply> {
  Atomics.store(words!, SIDE_ITEM, 0);
  Atomics.store(words!, SIDE_RUNNING, chunk.seq);
  reporter.seq = chunk.seq;
  taskBegins();
  try {
    return runNumberChunk(chunk.job, spec, fn, reporter, clockMs());
  } catch (err) {
    return { values: [], encoded: false, error: thrownRecord(err) };
  }
}

function finish(seq: number, map: MapReply, base = 0): void {
  taskEnds();
  answer({ seq, reply: map }, replyTransfer, base);
  replyTransfer.length = 0;
  // After the reply: a host that finds the thread dead reads the reply before this word.
  Atomics.store(words!, SIDE_RUNNING, 0);
  // What the chunk's tasks dropped without close() (a Client() connection: a socket each end),
  // as after a batch of tinypool's (pool-entry.ts): nothing when they made no connection or queue.
  collectDroppedCopies();
}

function answer(message: SideReply, transfer: object[] = [], base = 0): void {
  try {
    replies!.postMessage(message, transfer as never);
  } catch (err) {
    // The results passed the codec but not the clone (a Proxy): the chunk fails as a result that
    // cannot be sent, as on the slot's port (`Reporter.postMap`), not as the task's own error.
    const reply = 'reply' in message ? message.reply : undefined;
    const failed: MapReply =
      reply && isCloneRefusal(err)
        ? refusedMap(reply, base, err)
        : { values: [], encoded: false, error: toErrorRecord(err, 0, 'error', 'thread') };
    replies!.postMessage({ seq: message.seq, reply: failed });
  }
}

/** What the map loop reports to: the item reached, and a cancel of the running chunk. */
class SideReporter implements Reporter {
  seq = 0;
  initStarting(): void {}
  initEnded(): void {}
  loadStarting(): void {}
  loadEnded(): void {}
  claim(): number {
    return -1;
  }
  starting(): void {}
  entered(): void {}
  finished(): void {}
  postMap(): boolean {
    return false;
  }
  close(): void {}
  end(): void {}
  item(item: number): number {
    Atomics.store(words!, SIDE_ITEM, item);
    return Atomics.load(words!, SIDE_CANCEL) === this.seq ? Step.CANCELLED : Step.GO;
  }
  pause(): Promise<boolean> {
    return Promise.resolve(Atomics.load(words!, SIDE_CANCEL) !== this.seq);
  }
}

const reporter = new SideReporter();
