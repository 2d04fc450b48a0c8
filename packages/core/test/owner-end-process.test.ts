// The 'process' context's primitives (a manager's proxies) follow the rule of owner-end.test.ts:
// a child that ends normally (its target returned, exit(0), a pool retiring it after
// maxTasksPerChild, idling it out or joining it after close()) keeps the Lock and semaphore permits it took, so
// the main program can release them; one that fails (exit(1)) gives them back. An RLock only its
// holder could release comes back either way.
import { getContext, Pool, WorkerCrashedError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/hold.mjs';

// Generous bounds, not timings: a child can take many seconds to start on a loaded 2-core machine.
const WAIT_MS = 60_000;
const ctx = getContext('process');

const kinds = {
  Lock: () => ctx.Lock(),
  BoundedSemaphore: () => ctx.BoundedSemaphore(2),
  RLock: () => ctx.RLock(),
};
type Kind = keyof typeof kinds;
const ALL = Object.keys(kinds) as Kind[];

/**
 * 'kept' (then the main program releases it, which must work: the hand-off) or 'given back'. The
 * first query of a held object answers after the manager has read its sockets once more, so the
 * end of the child's connection has been seen.
 */
async function afterEnd(kind: Kind, prim: any): Promise<'kept' | 'given back'> {
  if (kind === 'BoundedSemaphore') {
    const value = await prim.getValue();
    if (value === 2) return 'given back';
    expect(value).toBe(1);
    await prim.release(); // no LockError: the child's permit is still taken
    expect(await prim.getValue()).toBe(2);
    return 'kept';
  }
  if (!(await prim.locked())) return 'given back';
  if (kind === 'Lock') {
    await prim.release();
    expect(await prim.locked()).toBe(false);
  }
  return 'kept';
}

const expected = (kind: Kind, normal: boolean) => (normal && kind !== 'RLock' ? 'kept' : 'given back');

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f().catch(() => {})));
});

describe("'process' context: what a child that took a share and ended leaves", { timeout: 120_000 }, () => {
  describe.each([
    ['returned', 'return', 0, true],
    ['called exit(0)', 'exit0', 0, true],
    ['called exit(1)', 'exit1', 1, false],
  ] as const)('a Process whose target %s', (_, end, exitCode, normal) => {
    it.each(ALL)(`${normal ? 'keeps' : 'gives back'} only what it should: %s`, async (kind) => {
      const prim = kinds[kind]();
      const p = new ctx.Process({ target: tasks.takeRemote, args: [prim, end] });
      cleanup.push(() => p.terminate());
      p.start();
      await p.join(WAIT_MS);
      expect(p.exitCode).toBe(exitCode);
      expect(await afterEnd(kind, prim)).toBe(expected(kind, normal));
    });
  });

  it.each(ALL)('a pool child recycled by maxTasksPerChild keeps only what it should: %s', async (kind) => {
    const prim = kinds[kind]();
    const pool = new Pool({ context: 'process', processes: 1, maxTasksPerChild: 1 });
    cleanup.push(() => pool.terminate());
    const destroyed = new Promise<string>((resolve) => pool.once('workerDestroy', (e) => resolve(e.reason)));
    expect(await pool.apply(tasks.takeRemote, [prim, 'return'])).toBe('returned');
    expect(await destroyed).toBe('retired');
    expect(await afterEnd(kind, prim)).toBe(expected(kind, true));
  });

  it.each(ALL)('a pool child ended by close() and join() keeps only what it should: %s', async (kind) => {
    const prim = kinds[kind]();
    const pool = new Pool({ context: 'process', processes: 1 });
    cleanup.push(() => pool.terminate());
    await pool.apply(tasks.takeRemote, [prim, 'return']);
    pool.close();
    await pool.join();
    expect(await afterEnd(kind, prim)).toBe(expected(kind, true));
  });

  it.each(ALL)('a pool child stopped after its idle timeout keeps only what it should: %s', async (kind) => {
    const prim = kinds[kind]();
    const pool = new Pool({ context: 'process', processes: 1, minProcesses: 0, idleTimeout: 1 });
    cleanup.push(() => pool.terminate());
    const destroyed = new Promise<string>((resolve) => pool.once('workerDestroy', (e) => resolve(e.reason)));
    expect(await pool.apply(tasks.takeRemote, [prim, 'return'])).toBe('returned');
    expect(await destroyed).toBe('idle');
    expect(await afterEnd(kind, prim)).toBe(expected(kind, true));
  });

  it.each(ALL)('a pool child that calls exit(1) gives everything back: %s', async (kind) => {
    const prim = kinds[kind]();
    const pool = new Pool({ context: 'process', processes: 1 });
    cleanup.push(() => pool.terminate());
    await expect(pool.apply(tasks.takeRemote, [prim, 'exit1'])).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await afterEnd(kind, prim)).toBe(expected(kind, false));
  });
});

// A thread is stopped with worker.terminate(), which runs none of its exit hooks: a thread pool
// worker that ends normally is asked to exit by itself, so its managers hear that it did.
describe("the 'process' context's primitives in a thread pool worker that ended", {
  timeout: 120_000,
}, () => {
  const ends = [
    ['recycled by maxTasksPerChild', { maxTasksPerChild: 1 }, 'retired'],
    ['stopped after its idle timeout', { minProcesses: 0, idleTimeout: 1 }, 'idle'],
    ['ended by close() and join()', {}, 'closed'],
  ] as const;
  describe.each(ends)('a worker %s', (_, options, reason) => {
    it.each(ALL)('keeps only what it should: %s', async (kind) => {
      const prim = kinds[kind]();
      const pool = new Pool({ processes: 1, ...options });
      cleanup.push(() => pool.terminate());
      const destroyed = new Promise<string>((resolve) =>
        pool.once('workerDestroy', (e) => resolve(e.reason)),
      );
      expect(await pool.apply(tasks.takeRemote, [prim, 'return'])).toBe('returned');
      if (reason === 'closed') {
        pool.close();
        await pool.join();
      }
      expect(await destroyed).toBe(reason);
      expect(await afterEnd(kind, prim)).toBe(expected(kind, true));
    });
  });

  it.each(ALL)('a worker that calls exit(1) gives everything back: %s', async (kind) => {
    const prim = kinds[kind]();
    const pool = new Pool({ processes: 1 });
    cleanup.push(() => pool.terminate());
    await expect(pool.apply(tasks.takeRemote, [prim, 'exit1'])).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await afterEnd(kind, prim)).toBe(expected(kind, false));
  });
});
