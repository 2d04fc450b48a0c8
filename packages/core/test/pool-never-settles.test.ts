// A pool task whose promise can never settle (nothing left in its worker could settle it: no
// timer, I/O, port, socket or child process of its own, no other task) fails its call with
// WorkerCrashedError (reason 'never settled', exit code 13, as a Process whose target never
// settles) instead of hanging the call, map() and close() + join() forever; the worker is replaced
// and every other call completes exactly once. A task waiting on something live is never taken
// for one (worker/loop-watch.ts).
import { Pool, WorkerCrashedError } from '@multiproc/core';
import { Manager, Pipe, Queue } from '@multiproc/ipc';
import { Lock } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/loop-dry-tasks.mjs';

const CONTEXTS = matrix(import.meta.url);
/** How long the host waits before it answers a waiting task: the worker's loop is dry but for that wait. */
const ANSWER_AFTER_MS = 400;

const pools: Pool[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  for (const close of closers.splice(0)) await close();
});

function pool(context: (typeof CONTEXTS)[number], processes = 1, more = {}): Pool {
  const p = new Pool({ processes, context, ...more });
  pools.push(p);
  return p;
}

const later = (fn: () => unknown) =>
  new Promise((resolve) => setTimeout(() => resolve(fn()), ANSWER_AFTER_MS));

function expectNeverSettled(error: unknown): void {
  expect(error).toBeInstanceOf(WorkerCrashedError);
  const crash = error as WorkerCrashedError;
  expect(crash.code).toBe('MP_WORKER_CRASHED');
  expect(crash.reason).toBe('never settled');
  expect(crash.exitCode).toBe(13);
  expect(crash.signal).toBeNull();
}

describe.each(CONTEXTS)('a %s pool task whose promise can never settle', (context) => {
  it('rejects apply(), applyAsync().get() and map() with WorkerCrashedError, then serves the next call', async () => {
    const p = pool(context, 2);
    expectNeverSettled(await p.apply(tasks.never, []).catch((e: unknown) => e));
    expectNeverSettled(
      await p
        .applyAsync(tasks.neverAfter, [50])
        .get()
        .catch((e: unknown) => e),
    );
    const mapped = await p.map(tasks.neverOnThree, [1, 2, 3, 4], { chunksize: 1 }).catch((e: unknown) => e);
    expectNeverSettled(mapped);
    expect((mapped as WorkerCrashedError).taskIndex).toBe(2);
    await expect(p.map(tasks.neverOnThree, [1, 2, 4], { chunksize: 1 })).resolves.toEqual([10, 20, 40]);
  }, 30_000);

  it('lets close() + join() end', async () => {
    const p = pool(context);
    const call = p.apply(tasks.never, []).catch((e: unknown) => e);
    p.close();
    await p.join();
    expectNeverSettled(await call);
  }, 30_000);

  it('fails that call alone: the calls batched with it run exactly once', async () => {
    const q = new Queue<number>();
    closers.push(() => q.close());
    const p = pool(context);
    const calls = [0, 1, 2].map((i) => p.apply(tasks.mark, [q, i]));
    const stuck = p.apply(tasks.never, []).catch((e: unknown) => e);
    calls.push(...[3, 4, 5].map((i) => p.apply(tasks.mark, [q, i])));
    await expect(Promise.all(calls)).resolves.toEqual([0, 1, 2, 3, 4, 5]);
    expectNeverSettled(await stuck);
    p.close();
    await p.join();
    const seen: number[] = [];
    while (!q.empty()) seen.push(await q.get({ timeout: 1000 }));
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  }, 30_000);

  it('an initializer that never settles fails the calls with it, without a respawn loop or a hang', async () => {
    const p = pool(context, 1, { initializer: tasks.never });
    expectNeverSettled(await p.apply(tasks.sleep, [0]).catch((e: unknown) => e));
  }, 30_000);

  describe('is not taken for one while it waits on something live', () => {
    it('a message on a Pipe', async () => {
      const [a, b] = Pipe();
      closers.push(() => a.close());
      const call = pool(context).apply(tasks.recv, [b]);
      await later(() => a.send('sent'));
      await expect(call).resolves.toBe('sent');
    }, 30_000);

    it('an item on a Queue', async () => {
      const q = new Queue<string>();
      closers.push(() => q.close());
      const call = pool(context).apply(tasks.get, [q]);
      await later(() => q.put('put'));
      await expect(call).resolves.toBe('put');
    }, 30_000);

    it('a manager proxy', async () => {
      const m = await Manager();
      closers.push(() => m.shutdown());
      const ev = m.Event();
      const call = pool(context).apply(tasks.waitEvent, [ev]);
      await later(() => ev.set());
      await expect(call).resolves.toBe(true);
    }, 30_000);

    it('a child process', async () => {
      await expect(pool(context).apply(tasks.child, [ANSWER_AFTER_MS])).resolves.toBe(0);
    }, 30_000);

    it('a nested Process', async () => {
      await expect(pool(context).apply(tasks.nested, [ANSWER_AFTER_MS, context])).resolves.toBe(0);
    }, 30_000);

    it('a timer', async () => {
      await expect(pool(context).apply(tasks.sleep, [1500])).resolves.toBe(1500);
    }, 30_000);

    it("an unref'd timer, and an AbortSignal.timeout() (whose timer Node unrefs)", async () => {
      const p = pool(context);
      await expect(p.apply(tasks.unrefTimer, [ANSWER_AFTER_MS])).resolves.toBe(ANSWER_AFTER_MS);
      await expect(p.apply(tasks.signalTimeout, [ANSWER_AFTER_MS])).resolves.toBe('aborted');
    }, 30_000);
  });
});

describe('a thread pool task is not taken for one while it waits on shared memory', () => {
  it('a raw Atomics.waitAsync, which Node does not count as work, woken by another thread', async () => {
    const sab = new SharedArrayBuffer(8);
    const call = pool('thread').apply(tasks.atomicWait, [sab]);
    // Once the task waits: its worker's loop is dry but for that wait from then on.
    while (Atomics.load(new Int32Array(sab), 1) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await later(() => {
      Atomics.store(new Int32Array(sab), 0, 1);
      Atomics.notify(new Int32Array(sab), 0);
    });
    await expect(call).resolves.toBe('ok');
  }, 30_000);

  it('a Lock another thread releases', async () => {
    const lock = new Lock();
    lock.acquireSync();
    const call = pool('thread').apply(tasks.acquire, [lock]);
    await later(() => lock.release());
    await expect(call).resolves.toBe('acquired');
  }, 30_000);
});
