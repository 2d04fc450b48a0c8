// A JoinableQueue item its schema refuses is consumed and never received: the rejected get marks
// its task done, so join() returns once the items that were received are marked done, in the
// queue's thread and in thread and process workers alike (no taskDone() is owed for it).
import { JoinableQueue, ValidationError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { joinable } = await import(new URL('./fixtures/schema-tasks.mjs', import.meta.url).href);

const pools: any[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.terminate();
});

/** `join()`, or a rejection naming the hang after `ms`. */
function joined(jq: JoinableQueue<unknown>, ms = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`join() still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([jq.join(), late]).finally(() => clearTimeout(timer));
}

/** A queue holding a bad item, then a good one. */
async function badThenGood(schema: z.ZodType<number> = z.number()): Promise<JoinableQueue<number>> {
  const jq = new JoinableQueue<number>({ schema });
  await jq.put('bad' as never);
  await jq.put(1);
  return jq;
}

describe('JoinableQueue with a schema: a get the schema refuses', () => {
  it('marks the refused item done: join() returns after the good item is marked done', {
    timeout: 10_000,
  }, async () => {
    const jq = await badThenGood();
    await expect(jq.get()).rejects.toBeInstanceOf(ValidationError);
    expect(await jq.get()).toBe(1);
    jq.taskDone();
    await joined(jq);
    // Counted once: no task is left for another taskDone().
    expect(() => jq.taskDone()).toThrow(ValidationError);
    jq.close();
  });

  it('leaves the good item unfinished until its taskDone()', { timeout: 10_000 }, async () => {
    const jq = await badThenGood();
    await expect(jq.get()).rejects.toMatchObject({ code: 'MP_VALIDATION' });
    expect(jq.qsize()).toBe(1);
    let done = false;
    const join = joined(jq).then(() => {
      done = true;
    });
    expect(await jq.get()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    jq.taskDone();
    await join;
    jq.close();
  });

  it('marks it done from getNowait() and from an asynchronous schema too', { timeout: 10_000 }, async () => {
    const sync = await badThenGood();
    expect(() => sync.getNowait()).toThrow(ValidationError);
    expect(sync.getNowait()).toBe(1);
    sync.taskDone();
    await joined(sync);
    const async = await badThenGood(z.number().refine(async (x) => x > 0));
    await async.put(-1);
    await expect(async.get()).rejects.toBeInstanceOf(ValidationError);
    expect(await async.get()).toBe(1);
    await expect(async.get()).rejects.toBeInstanceOf(ValidationError);
    async.taskDone();
    await joined(async);
    for (const q of [sync, async]) q.close();
  });

  it.each(matrix(import.meta.url))('in a %s worker: join() returns', { timeout: 30_000 }, async (context) => {
    const pool = new core.Pool({ processes: 1, context });
    pools.push(pool);
    const jq = await badThenGood();
    expect(await pool.apply(joinable.consume, [jq])).toEqual({
      refused: ['ValidationError', 'MP_VALIDATION'],
      got: 1,
    });
    await joined(jq);
    expect(() => jq.taskDone()).toThrow(ValidationError);
    jq.close();
  });
});
