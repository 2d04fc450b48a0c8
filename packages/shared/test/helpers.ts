import { Worker, type WorkerOptions } from 'node:worker_threads';
import { decodeValue, encodeValue } from '@multiproc/shared';
import { afterEach } from 'vitest';

interface Inbox {
  messages: unknown[];
  waiters: { resolve: (m: unknown) => void; reject: (e: unknown) => void }[];
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
  w.on('message', (m) => {
    const decoded = decodeValue(m, 'thread');
    const waiter = inbox.waiters.shift();
    if (waiter) waiter.resolve(decoded);
    else inbox.messages.push(decoded);
  });
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`worker ${name} exited with ${code} before answering`)));
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
