// A queue held twice by an error sent as a value (its fields `a` and `b`, or a field and the value
// holding the error: `{ e, q }`) arrived as two queues: each part of the error's record was encoded
// on its own. Structured clone keeps a shared object shared within one message, and so do queues,
// pipes and managers now: one object, which works. No worker: a few milliseconds.
import { Manager, Pipe, Queue } from '@multiproc/ipc';
import { afterEach, expect, it } from 'vitest';

const queues: Queue<unknown>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

function queue(): Queue<unknown> {
  const q = new Queue<unknown>();
  queues.push(q);
  return q;
}

/** `a` and `b` are one working queue: a put through one is got through the other. */
async function expectOneQueue(a: unknown, b: unknown): Promise<void> {
  expect(a).toBeInstanceOf(Queue);
  expect(a).toBe(b);
  await (a as Queue<unknown>).put('through a');
  expect(await (b as Queue<unknown>).get({ timeout: 5000 })).toBe('through a');
}

const twoFields = (q: Queue<unknown>) => Object.assign(new Error('two fields'), { a: q, b: q });

it('an error on a queue whose two fields hold one queue, and an error beside the queue it holds', async () => {
  const q = queue();
  const inner = queue();
  await q.put(twoFields(inner));
  const e = (await q.get()) as Error & { a: unknown; b: unknown };
  expect(e).toBeInstanceOf(Error);
  await expectOneQueue(e.a, e.b);
  await q.put({ e: Object.assign(new Error('beside'), { a: inner }), inner });
  const v = (await q.get()) as { e: { a: unknown }; inner: unknown };
  await expectOneQueue(v.e.a, v.inner);
});

it('the same through a pipe, and through a manager', async () => {
  const inner = queue();
  const [a, b] = Pipe();
  try {
    a.send(twoFields(inner));
    const e = (await b.recv()) as { a: unknown; b: unknown };
    await expectOneQueue(e.a, e.b);
  } finally {
    a.close();
    b.close();
  }
  const m = Manager();
  try {
    const mq = m.Queue();
    const d = m.dict<string, unknown>();
    await d.set('k', Object.assign(new Error('in a dict'), { a: mq, b: mq }));
    const e = (await d.get('k')) as {
      a: { put(v: unknown): Promise<void>; get(): Promise<unknown> };
      b: unknown;
    };
    expect(e.a).toBe(e.b);
    await e.a.put(1);
    expect(await (e.b as typeof e.a).get()).toBe(1);
  } finally {
    await m.shutdown();
  }
});
