import { Worker, type WorkerOptions } from 'node:worker_threads';
import { decodeValue, encodeValue } from '@multiproc/shared';
import { afterEach } from 'vitest';

interface Inbox {
  messages: unknown[];
  waiters: { resolve: (m: unknown) => void; reject: (e: unknown) => void }[];
  /** The worker's error, if it had one; waiters fail with it once the worker has exited. */
  error?: unknown;
  /** Set at 'exit': no message can come after it. */
  failure?: unknown;
}

const live = new Map<Worker, Inbox>();

afterEach(async () => {
  const workers = [...live.keys()];
  live.clear();
  await Promise.all(workers.map((w) => w.terminate()));
});

/**
 * Starts `test/fixtures/<name>.mjs` with `data` encoded the way core sends arguments. Messages
 * are queued from the start, so none is lost before the test asks for it.
 */
export function startWorker(name: string, data: unknown, options: WorkerOptions = {}): Worker {
  const { value, transfer } = encodeValue(data, 'thread', 'workerData');
  const w = new Worker(new URL(`./fixtures/${name}.mjs`, import.meta.url), {
    ...options,
    workerData: value,
    transferList: transfer as never[],
  });
  const inbox: Inbox = { messages: [], waiters: [] };
  const fail = (err: unknown) => {
    inbox.failure = err;
    for (const waiter of inbox.waiters.splice(0)) waiter.reject(err);
  };
  // A worker's uncaught error can reach this thread before a message it posted earlier (they come
  // on two ports, about 1 in 200 times when this thread was busy meanwhile), so an 'error' fails
  // nobody yet: Node delivers every message the worker posted before it emits 'exit'.
  w.on('message', (m) => {
    const decoded = decodeValue(m, 'thread');
    const waiter = inbox.waiters.shift();
    if (waiter) waiter.resolve(decoded);
    else inbox.messages.push(decoded);
  });
  w.on('error', (err) => {
    inbox.error ??= err;
  });
  w.on('exit', (code) =>
    fail(inbox.error ?? new Error(`worker ${name} exited with ${code} before answering`)),
  );
  live.set(w, inbox);
  return w;
}

/** Resolves with the worker's next message (rejects if it fails or exits first). */
export function nextMessage<T = unknown>(w: Worker): Promise<T> {
  const inbox = live.get(w);
  if (!inbox) return Promise.reject(new Error('not a worker started by startWorker()'));
  if (inbox.messages.length > 0) return Promise.resolve(inbox.messages.shift() as T);
  if (inbox.failure !== undefined) return Promise.reject(inbox.failure);
  return new Promise((resolve, reject) =>
    inbox.waiters.push({ resolve: resolve as (m: unknown) => void, reject }),
  );
}

/** `value` as another thread receives it: posted to a worker that posts it straight back. */
export async function throughAThread(value: unknown): Promise<unknown> {
  const echo =
    'const { parentPort } = require("node:worker_threads"); parentPort.once("message", (m) => parentPort.postMessage(m))';
  const w = new Worker(echo, { eval: true });
  try {
    const back = new Promise((resolve) => w.once('message', resolve));
    w.postMessage(value);
    return await back;
  } finally {
    await w.terminate();
  }
}
