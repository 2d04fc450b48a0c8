// A worker thread started by multiproc that dies while it holds a Lock, RLock, Semaphore or a
// Condition's lock, or while it waits at a Barrier, does not block the others: its host gives
// back what it held as soon as it ends (shared's abandonOwner()), whichever way it ends.
import { Pool, Process } from '@multiproc/core';
import { Barrier, BrokenBarrierError, Condition, Event, Lock, RLock, Semaphore } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/hold.mjs';

// Generous bounds, not timings: a worker can take many seconds to start on a loaded 2-core machine.
const WAIT_MS = 60_000;

type Kind = 'Lock' | 'RLock' | 'Semaphore' | 'Condition' | 'Barrier';
const make = (kind: Kind) =>
  ({
    Lock: () => new Lock(),
    RLock: () => new RLock(),
    Semaphore: () => new Semaphore(1),
    Condition: () => new Condition(new Lock()),
    Barrier: () => new Barrier(3),
  })[kind]();

/** What the other side does: it must get through, or get BrokenBarrierError from a barrier. */
async function otherSide(kind: Kind, prim: any): Promise<string> {
  if (kind === 'Barrier') return prim.wait(WAIT_MS).then(String, (e: Error) => e.name);
  const ok = await prim.acquire(WAIT_MS);
  const abandoned =
    kind === 'Semaphore' ? 'n/a' : String((kind === 'Condition' ? prim.lock : prim).abandoned);
  prim.release();
  return `${ok} abandoned=${abandoned}`;
}

const expected = (kind: Kind) =>
  kind === 'Barrier' ? BrokenBarrierError.name : `true abandoned=${kind === 'Semaphore' ? 'n/a' : 'true'}`;

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f().catch(() => {})));
});

const kinds: Kind[] = ['Lock', 'RLock', 'Semaphore', 'Condition', 'Barrier'];

describe.each(kinds)('a thread that dies holding a %s', { timeout: 150_000 }, (kind) => {
  it.each(['kill', 'exit', 'throw'] as const)('Process: %s', async (end) => {
    const prim = make(kind);
    const held = new Event();
    const p = new Process({ target: tasks.hold, args: [kind, prim, held, end === 'kill' ? 'block' : end] });
    cleanup.push(() => p.terminate());
    p.start();
    expect(await held.wait(WAIT_MS)).toBe(true);
    const other = otherSide(kind, prim);
    if (end === 'kill') p.kill();
    expect(await other).toBe(expected(kind));
    await p.join();
    expect(p.exitCode).toBe(end === 'kill' ? -9 : end === 'exit' ? 7 : 1);
  });

  it.each(['exit', 'terminate'] as const)('Pool worker: %s', async (end) => {
    const prim = make(kind);
    const held = new Event();
    const pool = new Pool({ processes: 1 });
    cleanup.push(() => pool.terminate());
    const call = pool.apply(tasks.hold, [kind, prim, held, end === 'exit' ? 'exit' : 'block']);
    call.catch(() => {});
    expect(await held.wait(WAIT_MS)).toBe(true);
    const other = otherSide(kind, prim);
    if (end === 'terminate') await pool.terminate();
    expect(await other).toBe(expected(kind));
    await expect(call).rejects.toThrow();
  });
});

// The host gives back on the worker's 'exit', once its event loop runs. A host asleep in a sync
// wait for the share runs no loop: the dying thread gives it back itself at its own exit.
describe.each(['Lock', 'RLock', 'Semaphore', 'Condition'] as const)(
  'a Process that dies holding a %s while the main thread blocks in acquireSync()',
  { timeout: 150_000 },
  (kind) => {
    it.each(['exit', 'throw'] as const)('%s: the blocked acquire gets it', async (end) => {
      const prim = make(kind) as Lock;
      const held = new Event();
      const p = new Process({ target: tasks.hold, args: [kind, prim, held, end] });
      cleanup.push(() => p.terminate());
      p.start();
      expect(held.waitSync(WAIT_MS)).toBe(true);
      // No await until the acquire is over: the worker may not have ended yet, or be ending.
      expect(prim.acquireSync(WAIT_MS / 3)).toBe(true);
      prim.release();
      await p.join();
      expect(p.exitCode).toBe(end === 'exit' ? 7 : 1);
    });
  },
);

// A thread that runs out of memory runs no JavaScript at its end, and the host asleep in a sync wait
// sees no 'exit': on Linux the wait looks, between slices, whether the holder's OS thread still
// exists (shared's internal/thread-roster.ts), and gives back for it if not.
describe.runIf(process.platform === 'linux').each(['Lock', 'RLock', 'Semaphore', 'Condition'] as const)(
  "a 'thread' pool worker that runs out of memory holding a %s while the main thread blocks in acquireSync()",
  { timeout: 150_000 },
  (kind) => {
    it('the blocked acquire gets it, long before its timeout', async () => {
      const prim = make(kind) as Lock;
      const held = new Event();
      const pool = new Pool({
        processes: 1,
        context: 'thread',
        resourceLimits: { maxOldGenerationSizeMb: 32 },
      });
      cleanup.push(() => pool.terminate());
      const call = pool.apply(tasks.hold, [kind, prim, held, 'oom']);
      call.catch(() => {});
      // Async: the pool sends the task from this thread's event loop.
      expect(await held.wait(WAIT_MS)).toBe(true);
      // No await until the acquire is over: this thread's event loop cannot see the worker's end.
      expect(prim.acquireSync(10_000)).toBe(true);
      if (kind !== 'Semaphore')
        expect((kind === 'Condition' ? (prim as never as Condition).lock : prim).abandoned).toBe(true);
      prim.release();
      await expect(call).rejects.toMatchObject({ name: 'WorkerCrashedError' });
    });
  },
);
