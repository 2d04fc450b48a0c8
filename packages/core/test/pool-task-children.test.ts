// A non-daemon Process that a pool task started and did not join outlives the task: the worker's
// orderly end (a closed pool's join(), a retirement after maxTasksPerChild, an idle timeout)
// waits for it, as a program waits for its non-daemon children. terminate() still ends it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Pool } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { lateFile, tasks } from './fixtures/task-children-tasks.mjs';
import { FULL_TESTS } from './helpers.ts';

type Context = 'thread' | 'process';
// CI runs the two mixed pairs (each context on each side once); the full tier all four.
const MIXES: [Context, Context][] = [
  ['thread', 'process'],
  ['process', 'thread'],
  ...(FULL_TESTS
    ? ([
        ['thread', 'thread'],
        ['process', 'process'],
      ] as [Context, Context][])
    : []),
];
// Long enough that an unjoined child would still be sleeping when the worker is stopped.
const CHILD_MS = 1500;

const open: { close(): unknown }[] = [];
afterEach(() => {
  for (const q of open.splice(0)) q.close();
});

/** Whether `pid` runs (a zombie does not: a thread worker that forked it is gone, so nobody reaps it). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

function queue(): Queue<string> {
  const q = new Queue<string>();
  open.push(q);
  return q;
}

describe.each(MIXES)('a %s pool whose task starts a %s Process', (outer, inner) => {
  it('close() then join() waits for the Process, which delivers its value', async () => {
    const q = queue();
    const pool = new Pool({ processes: 1, context: outer });
    await pool.apply(tasks.startAndReturn, [q, inner, CHILD_MS, 'joined'], { timeout: 20_000 });
    pool.close();
    await pool.join();
    await expect(q.get({ timeout: 10_000 })).resolves.toBe('joined');
  }, 40_000);

  it('a worker retired by maxTasksPerChild lets the Process finish while the pool stays open', async () => {
    const q = queue();
    const pool = new Pool({ processes: 1, context: outer, maxTasksPerChild: 1 });
    try {
      await pool.apply(tasks.startAndReturn, [q, inner, CHILD_MS, 'retired'], { timeout: 20_000 });
      await expect(q.get({ timeout: 15_000 })).resolves.toBe('retired');
      // The replacement worker serves the next call.
      await expect(
        pool.apply(tasks.startAndReturn, [q, inner, 0, 'next'], { timeout: 20_000 }),
      ).resolves.toBeTypeOf('number');
      await expect(q.get({ timeout: 15_000 })).resolves.toBe('next');
    } finally {
      pool.close();
      await pool.join();
    }
  }, 60_000);
});

describe.each(matrix(import.meta.url))('a %s pool', (outer) => {
  it.each([
    ['thread', 0],
    ['process', 1],
  ])(
    'close() then join() waits for a %s Process a map chunk over numbers started (a thread pool runs it on its side lane)',
    async (inner, parity) => {
      // Even items start a thread Process, odd ones a process.
      const x = 2 * Math.floor(Math.random() * 1e9) + parity;
      const file = lateFile(x);
      const pool = new Pool({ processes: 1, context: outer });
      try {
        // A worker that ran a task of the pool takes a lone chunk of numbers outside tinypool.
        await pool.apply(tasks.noop, [], { timeout: 20_000 });
        expect(await pool.map(tasks.startOnItem, [x], { timeout: 20_000 })).toEqual([x]);
        pool.close();
        await pool.join();
        expect(existsSync(file) && readFileSync(file, 'utf8')).toBe(inner);
      } finally {
        rmSync(file, { force: true });
      }
    },
    40_000,
  );

  it('a worker ended by idleTimeout lets the Process finish', async () => {
    const q = queue();
    const pool = new Pool({ processes: 1, context: outer, idleTimeout: 200, minProcesses: 0 });
    try {
      await pool.apply(tasks.startAndReturn, [q, 'process', CHILD_MS, 'idle'], { timeout: 20_000 });
      await expect(q.get({ timeout: 15_000 })).resolves.toBe('idle');
    } finally {
      pool.close();
      await pool.join();
    }
  }, 40_000);

  it('terminate() still ends the Process a task left running', async () => {
    const q = queue();
    const pool = new Pool({ processes: 1, context: outer });
    const pid = await pool.apply(tasks.startAndReturn, [q, 'process', 60_000, 'never'], { timeout: 20_000 });
    expect(running(pid)).toBe(true);
    await pool.terminate();
    await vi.waitFor(() => expect(running(pid)).toBe(false), { timeout: 20_000, interval: 50 });
  }, 40_000);

  it('join() does not wait for a daemon Process a task left running', async () => {
    const q = queue();
    const pool = new Pool({ processes: 1, context: outer });
    const pid = await pool.apply(tasks.startAndReturn, [q, 'process', 60_000, 'never', true], {
      timeout: 20_000,
    });
    pool.close();
    // Settles long before the daemon's 60 s sleep (the test's bound is 40 s).
    await pool.join();
    await vi.waitFor(() => expect(running(pid)).toBe(false), { timeout: 20_000, interval: 50 });
  }, 40_000);
});
