// Closing a queue or connection on this side ends its pending calls at once with ClosedError (the
// contract: using it after this side closed it throws ClosedError), at home and in a worker's copy;
// a put that was waiting for room is then never admitted.

import { JoinableQueue, Pipe, Queue, wait } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/close-tasks.mjs', import.meta.url).href);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** The error name `pending` rejects with once `close` ran (it must not have settled before). */
async function afterClose(pending: Promise<unknown>, close: () => void): Promise<string> {
  let settled = false;
  const named = pending.then(
    () => 'resolved',
    (err: Error) => err.name,
  );
  void named.finally(() => (settled = true));
  await Promise.resolve();
  expect(settled).toBe(false);
  close();
  return named;
}

describe('close() while a call waits, at home', () => {
  it('put(), join(), poll(ms) and wait(ms) reject with ClosedError at once', {
    timeout: 10_000,
  }, async () => {
    const q = new Queue<number>({ maxsize: 1 });
    q.putNowait(1);
    expect(await afterClose(q.put(2), () => q.close())).toBe('ClosedError');
    const jq = new JoinableQueue<number>();
    jq.putNowait(1);
    expect(await afterClose(jq.join(), () => jq.close())).toBe('ClosedError');
    const [a, a2] = Pipe();
    expect(await afterClose(a.poll(60_000), () => a.close())).toBe('ClosedError');
    const [b, b2] = Pipe();
    const [c, c2] = Pipe();
    expect(await afterClose(wait([c, b], 60_000), () => b.close())).toBe('ClosedError');
    await expect(wait([b])).rejects.toMatchObject({ code: 'MP_CLOSED' });
    for (const x of [a2, b2, c, c2]) x.close();
  });
});

describe.each(matrix(import.meta.url))('close() while a call waits, in a worker (%s)', (context) => {
  it('put(), join(), poll(ms) and wait(ms) reject with ClosedError; the put is not admitted', {
    timeout: 20_000,
  }, async () => {
    const q = new Queue<string>({ maxsize: 1 });
    q.putNowait('first');
    const jq = new JoinableQueue<number>();
    jq.putNowait(1);
    const [a, a2] = Pipe();
    const [b, b2] = Pipe();
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const names = await pool.apply(tasks.closeWhileWaiting, [q, jq, a, b]);
    expect(names).toEqual(['ClosedError', 'ClosedError', 'ClosedError', 'ClosedError']);
    expect(q.getNowait()).toBe('first');
    expect(() => q.getNowait()).toThrow(expect.objectContaining({ code: 'MP_QUEUE_EMPTY' }));
    for (const x of [a2, b2]) x.close();
  });
});
