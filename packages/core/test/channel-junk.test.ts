// A forked child that writes bytes that are not a message to its IPC channel (fd 3) never hangs a
// pool call nor ends the host: the call it was running rejects with WorkerCrashedError saying the
// channel was corrupted, the worker is replaced, and every other call completes. A Process's child
// doing so runs on (nothing travels from it on that channel) and the host warns.
import { Process, WorkerCrashedError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/channel-junk-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const started: Process[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
});

/** `promise`, or a rejection after `ms`: a hang fails the test with a message instead of a timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe.each(['text', 'frame'] as const)("junk on a pool child's IPC channel (%s)", (shape) => {
  it('rejects the call that wrote it with WorkerCrashedError; the other calls complete', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 2, context: 'process' });
    const others = pool.map(
      t.square,
      Array.from({ length: 20 }, (_, i) => i),
      { chunksize: 1 },
    );
    const sleeper = pool.apply(t.sleep, [300]);
    const err = await within(
      pool.apply(t.junk, [shape]).catch((e: unknown) => e),
      20_000,
      'the junk call',
    );
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as WorkerCrashedError).code).toBe('MP_WORKER_CRASHED');
    expect((err as Error).message).toMatch(/IPC channel/);
    expect((err as WorkerCrashedError).signal).toBe('SIGKILL');
    expect(await within(others, 20_000, 'map')).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    expect(await within(sleeper, 20_000, 'apply')).toBe(300);
    // A task still running after its junk fails too; the replaced workers serve on.
    const late = await within(
      pool.apply(t.junkThenWait, [shape, 200]).catch((e: unknown) => e),
      20_000,
      'junkThenWait',
    );
    expect(late).toBeInstanceOf(WorkerCrashedError);
    expect(await within(pool.map(t.square, [1, 2, 3]), 20_000, 'map after')).toEqual([1, 4, 9]);
  });

  it("a Process's child that writes it ends normally and the host lives on", {
    timeout: 30_000,
  }, async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? '');
    process.on('warning', onWarning);
    try {
      const p = new Process({ target: t.junkAndEnd, args: [shape], context: 'process' });
      started.push(p);
      p.start();
      await within(p.join(), 20_000, 'join');
      expect(p.exitCode).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      if (shape === 'frame') expect(warnings).toContain('MP_CHANNEL_CORRUPTED');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
