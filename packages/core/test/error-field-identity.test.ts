// A queue (or an error) held twice in what a task throws or returns arrived as two objects: the
// record of a thrown error encoded each field, and its cause, on its own, so `e.a !== e.b` for an
// error whose fields held one queue (and the two had two reservations of it); an error returned
// beside the queue it holds (`{ e, q }`) likewise. Structured clone keeps sharing within one
// message, and so do we now: each arrives as one object, which works (a put through one is got
// through the other). One worker; CI runs the context the file's name picks.
import { Pool } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/identity-tasks.ts';

const pools: Pool[] = [];
const queues: Queue<unknown>[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  for (const q of queues.splice(0)) q.close();
});

function setUp(context: 'thread' | 'process'): { pool: Pool; q: Queue<unknown> } {
  const pool = new Pool({ processes: 1, context });
  const q = new Queue<unknown>();
  pools.push(pool);
  queues.push(q);
  return { pool, q };
}

/** What `call` rejected with. */
async function rejection(call: Promise<unknown>): Promise<Record<string, any>> {
  return call.then(
    () => expect.fail('the call resolved'),
    (err: Record<string, any>) => err,
  );
}

/** `a` and `b` are one working queue: a put through one is got through the other. */
async function expectOneQueue(a: Queue<unknown>, b: Queue<unknown>): Promise<void> {
  expect(a).toBe(b);
  await a.put('through a');
  expect(await b.get({ timeout: 5000 })).toBe('through a');
}

describe.each(matrix(import.meta.url))('one object held twice by a task, %s context', (context) => {
  it('a thrown error whose two fields hold one queue: one queue', { timeout: 20_000 }, async () => {
    const { pool, q } = setUp(context);
    const err = await rejection(pool.apply(tasks.throwTwoFields, [q]));
    expect(err.message).toBe('two fields');
    await expectOneQueue(err.a, err.b);
  });

  it('a field and the cause holding one queue; two fields and a list holding one error', {
    timeout: 20_000,
  }, async () => {
    const { pool, q } = setUp(context);
    const err = await rejection(pool.apply(tasks.throwFieldAndCause, [q]));
    await expectOneQueue(err.a, err.cause.q);
    const outer = await rejection(pool.apply(tasks.throwSameInner, []));
    expect(outer.a).toBeInstanceOf(RangeError);
    expect(outer.a).toBe(outer.b);
    expect(outer.list[0]).toBe(outer.a);
  });

  it('a returned error holding the queue beside it, and one holding it twice', {
    timeout: 20_000,
  }, async () => {
    const { pool, q } = setUp(context);
    const r = (await pool.apply(tasks.returnErrorAndQueue, [q])) as Record<string, any>;
    expect(r.e).toBeInstanceOf(Error);
    await expectOneQueue(r.e.a, r.q);
    const e = (await pool.apply(tasks.returnTwoFields, [q])) as Record<string, any>;
    expect(e).toBeInstanceOf(TypeError);
    await expectOneQueue(e.a, e.b);
  });
});
