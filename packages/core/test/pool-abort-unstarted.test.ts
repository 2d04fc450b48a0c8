// A call aborted (signal) or timed out before its worker started its task never runs it, and that
// worker is kept: the cancel reaches the worker before it claims the job (a thread: one CAS on its
// slot's claim word; a child: a cancel message it reads before it claims), and one aborted in the
// same synchronous run as the call was never posted. A call whose task runs is still stopped by
// recycling its worker. The cases after the first hold the worker's event loop (a timer a task
// left behind blocks it) so the call is posted to it and cannot start: the abort always comes
// first, in both contexts, whatever the machine's load.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pool, TimeoutError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/unstarted-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** One turn of the event loop: a call made before it has been posted (a microtask after the call). */
const posted = () => new Promise((resolve) => setImmediate(resolve));

/** A fresh folder: `file` collects what tasks append, `held`/`release` steer {@link hold}. */
function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'abort-unstarted-'));
  dirs.push(dir);
  const file = join(dir, 'ran');
  writeFileSync(file, '');
  return { dir, file, lines: () => readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

/**
 * Holds the pool's one worker: it has answered (the pool sees it free) and its event loop is
 * blocked until the returned `release()`; a call made meanwhile is posted to it and not started.
 */
async function hold(pool: Pool, dir: string): Promise<() => void> {
  expect(await pool.apply(t.holdSoon, [dir])).toBe('armed');
  for (let waited = 0; !existsSync(join(dir, 'held')); waited += 5) {
    if (waited > 15_000) throw new Error('the worker never held its loop');
    await sleep(5);
  }
  return () => writeFileSync(join(dir, 'release'), '');
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => new Error('resolved'),
    (e: Error) => e,
  );

describe.each(['thread', 'process'] as const)(
  'a call stopped before its task started, %s context',
  (context) => {
    it('aborted in the same turn as the call: never posted, never runs, the worker stays', async () => {
      const { file, lines } = scratch();
      const pool = makePool({ processes: 1, context });
      const worker = await pool.apply(t.who, []);
      for (let round = 0; round < 10; round++) {
        const controller = new AbortController();
        const aborted = rejection(pool.apply(t.append, [file, round], { signal: controller.signal }));
        controller.abort('stop');
        const error = await aborted;
        expect(error.name).toBe('AbortError');
        expect(error.cause).toBe('stop');
      }
      expect(await pool.apply(t.who, [])).toBe(worker);
      expect(lines()).toEqual([]);
    });

    it('aborted once posted to its worker, before the worker started it: never runs, the worker stays', async () => {
      const { dir, file, lines } = scratch();
      const pool = makePool({ processes: 1, context });
      const worker = await pool.apply(t.who, []);
      const release = await hold(pool, dir);
      const controller = new AbortController();
      const aborted = rejection(pool.apply(t.append, [file, 'aborted'], { signal: controller.signal }));
      await posted();
      controller.abort();
      release();
      expect((await aborted).name).toBe('AbortError');
      // The worker answered the batch it never started; a call made after runs there.
      expect(await pool.apply(t.who, [])).toBe(worker);
      expect(lines()).toEqual([]);
    });

    it('timed out before its worker started it: never runs, the worker stays', async () => {
      const { dir, file, lines } = scratch();
      const pool = makePool({ processes: 1, context });
      const worker = await pool.apply(t.who, []);
      const release = await hold(pool, dir);
      // Posted a microtask after the call (a timeout of 0 fails before any post), expired while held.
      const error = await rejection(pool.apply(t.append, [file, 'late'], { timeout: 5 }));
      release();
      expect(error).toBeInstanceOf(TimeoutError);
      expect(await pool.apply(t.who, [])).toBe(worker);
      expect(lines()).toEqual([]);
    });

    it('a map aborted before its first chunk started starts none of them, and the worker stays', async () => {
      const { dir, file, lines } = scratch();
      const pool = makePool({ processes: 1, context });
      const worker = await pool.apply(t.who, []);
      const release = await hold(pool, dir);
      const controller = new AbortController();
      const args = ['a', 'b', 'c', 'd'].map((line) => [file, line]);
      const aborted = rejection(pool.starmap(t.append, args, { chunksize: 1, signal: controller.signal }));
      await posted(); // its first chunk is posted, the next in line behind it
      controller.abort();
      release();
      expect((await aborted).name).toBe('AbortError');
      expect(await pool.apply(t.who, [])).toBe(worker);
      expect(lines()).toEqual([]);
    });

    it('a call cancelled unstarted does not count toward maxTasksPerChild', async () => {
      const { dir, file, lines } = scratch();
      const pool = makePool({ processes: 1, context, maxTasksPerChild: 3 });
      const worker = await pool.apply(t.who, []); // 1
      const release = await hold(pool, dir); // 2
      const controller = new AbortController();
      const aborted = rejection(pool.apply(t.append, [file, 'aborted'], { signal: controller.signal }));
      await posted();
      controller.abort();
      release();
      expect((await aborted).name).toBe('AbortError');
      expect(await pool.apply(t.who, [])).toBe(worker); // 3: the worker's last task
      expect(await pool.apply(t.who, [])).not.toBe(worker); // its replacement's first
      expect(lines()).toEqual([]);
    });

    it('a worker that leaves the aborted batch unanswered (its loop held) is replaced after 2 s', async () => {
      const { dir, file, lines } = scratch();
      const pool = makePool({ processes: 1, context });
      const worker = await pool.apply(t.who, []);
      const release = await hold(pool, dir);
      try {
        const controller = new AbortController();
        const aborted = rejection(pool.apply(t.append, [file, 'aborted'], { signal: controller.signal }));
        await posted();
        controller.abort();
        expect((await aborted).name).toBe('AbortError');
        // The call made next would wait for that worker for ever: it runs on its replacement.
        expect(await pool.apply(t.who, [])).not.toBe(worker);
        expect(lines()).toEqual([]);
      } finally {
        release();
      }
    });

    it('aborted while its task runs: the worker is recycled, as before', async () => {
      const { file, lines } = scratch();
      const pool = makePool({ processes: 1, context });
      const worker = await pool.apply(t.who, []);
      const controller = new AbortController();
      const aborted = rejection(
        pool.apply(t.appendAndStay, [file, 'running', 60_000], { signal: controller.signal }),
      );
      for (let waited = 0; lines().length === 0; waited += 5) {
        if (waited > 15_000) throw new Error('the task never started');
        await sleep(5);
      }
      controller.abort();
      expect((await aborted).name).toBe('AbortError');
      expect(await pool.apply(t.who, [])).not.toBe(worker);
      expect(lines()).toEqual(['running']);
    });
  },
);

// A replacement worker's first call carries the initializer with it (its batch runs it first): a
// call aborted while a thread's initializer ran was taken for a thread whose loop is held once 2 s
// passed, and the thread was killed in its initializer, which its replacement ran again. The 2 s
// now count from the initializer's end. A child claimed the job as its initializer returned,
// before its loop read the cancel waiting in the pipe: the call ran, then the child was stopped.
describe('a call aborted while its worker runs a long initializer', () => {
  it.each(['thread', 'process'] as const)(
    '%s context: the worker finishes its initializer, is kept, and never runs the call',
    { timeout: 30_000 },
    async (context) => {
      const { file, lines } = scratch();
      const inits = `${file}-inits`;
      writeFileSync(inits, '');
      const initsRun = () => readFileSync(inits, 'utf8').split('\n').filter(Boolean);
      const pool = makePool({
        processes: 1,
        context,
        maxTasksPerChild: 1,
        initializer: t.slowInit,
        initargs: [inits, 2600],
      });
      await pool.apply(t.who, []); // its worker retires: the replacement starts, with the next call
      const controller = new AbortController();
      const aborted = rejection(pool.apply(t.append, [file, 'aborted'], { signal: controller.signal }));
      for (let waited = 0; initsRun().length < 2; waited += 5) {
        if (waited > 15_000) throw new Error('the replacement never began its initializer');
        await sleep(5);
      }
      controller.abort();
      expect((await aborted).name).toBe('AbortError');
      const replacement = initsRun()[1];
      expect(await pool.apply(t.who, [])).toBe(replacement);
      expect(initsRun()).toHaveLength(2);
      expect(lines()).toEqual([]);
    },
  );
});
