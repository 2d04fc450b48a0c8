// A manager's (so getContext('process')'s) Array reads its length and typecode at once, as a thread
// SharedArray does; what cannot exist across processes (`.view`, the blocking `acquireSync` and
// `waitSync`) throws a ContextError naming the awaited form instead of being undefined or a TypeError.
import { ContextError } from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/fixed-fields-tasks.mjs', import.meta.url).href);
const { cleanup, manager } = managerTestKit();

/** The ContextError `fn` throws, failing the test when it throws anything else or nothing. */
function contextError(fn: () => unknown): ContextError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ContextError);
    return error as ContextError;
  }
  throw new Error('expected a ContextError, nothing was thrown');
}

describe('manager Array and Value fields fixed at creation', () => {
  it('Array length and typecode read at once, from a length or from items', async () => {
    const m = await manager();
    const a = m.Array('d', 10);
    const b = m.Array('i', [1, 2, 3]);
    expect([a.length, a.typecode, b.length, b.typecode]).toEqual([10, 'd', 3, 'i']);
    expect(await b.len()).toBe(b.length);
    expect(m.Value('q', 5n).typecode).toBe('q');
  });

  it('Array and Value .view throw ContextError naming the awaited reads', async () => {
    const m = await manager();
    expect(contextError(() => m.Array('i', 2).view).message).toMatch(/await a\.copy\(\)/);
    expect(contextError(() => m.Value('i', 1).view).message).toMatch(/await v\.get\(\)/);
  });

  it.each(matrix(import.meta.url))(
    'a worker reads the length of an Array sent to it (%s)',
    {
      timeout: 30_000,
    },
    async (context) => {
      const m = await manager();
      const pool = new core.Pool({ processes: 1, context });
      cleanup.push(() => pool.terminate());
      const a = m.Array('i', [4, 5, 6]);
      expect(await pool.apply(tasks.readArray, [a])).toEqual({ length: 3, typecode: 'i', sum: 15 });
    },
  );
});

describe('manager primitives have no blocking forms', () => {
  it('acquireSync, waitSync and waitForSync throw ContextError saying what to await', async () => {
    const m = await manager();
    const cases: [() => unknown, RegExp][] = [
      [() => m.Lock().acquireSync(), /await lock\.acquire/],
      [() => m.RLock().acquireSync(10), /await lock\.acquire/],
      [() => m.Semaphore(1).acquireSync(), /await sem\.acquire/],
      [() => m.BoundedSemaphore(1).acquireSync(), /await sem\.acquire/],
      [() => m.Condition().acquireSync(), /await cond\.acquire/],
      [() => m.Event().waitSync(10), /await ev\.wait/],
      [() => m.Condition().waitSync(10), /await cond\.wait\(/],
      [() => m.Condition().waitForSync(() => true), /await cond\.waitFor/],
      [() => m.Barrier(2).waitSync(10), /await bar\.wait/],
    ];
    for (const [call, says] of cases) expect(contextError(call).message).toMatch(says);
  });

  it('a Lock whose acquireSync threw is still free: the async form takes it', async () => {
    const lock = (await manager()).Lock();
    contextError(() => lock.acquireSync());
    expect(await lock.acquire({ block: false })).toBe(true);
    await lock.release();
  });
});

it('@multiproc/ipc exports the ContextError class it throws, the one of @multiproc/shared', () => {
  expect(ContextError).toBe(shared.ContextError);
});
