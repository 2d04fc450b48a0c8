// Every way of making a BoundedSemaphore gives a bounded one (Python: `ValueError: semaphore or lock
// released too many times`), also once it is sent to a worker of its context.
import { getContext, Pool } from '@multiproc/core';
import { LockError } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const { releaseTasks } = await import(new URL('./fixtures/primitive-tasks.mjs', import.meta.url).href);

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe.each(matrix(import.meta.url))("getContext('%s').BoundedSemaphore", (name) => {
  const ctx = getContext(name);
  type Sem = { release(): unknown };
  const forms: [string, (n: number) => Sem][] = [
    ['called', (n) => ctx.BoundedSemaphore(n)],
    ['with new', (n) => new ctx.BoundedSemaphore(n)],
  ];
  if (name === 'thread') {
    class MySemaphore extends getContext('thread').BoundedSemaphore {}
    forms.push(['subclassed', (n) => new MySemaphore(n)]);
  }

  it.each(forms)(
    '%s refuses a release past its initial value, here and in a worker',
    {
      timeout: 30_000,
    },
    async (_, make) => {
      const sem = make(1);
      await expect((async () => sem.release())()).rejects.toBeInstanceOf(LockError);
      const pool = new Pool({ processes: 1, context: name });
      pools.push(pool);
      expect(await pool.apply(releaseTasks.releaseUnheld, [sem])).toBe('LockError');
    },
  );
});
