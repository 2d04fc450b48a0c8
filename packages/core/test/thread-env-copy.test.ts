// A thread pool or a thread Process started from the main thread gives each thread its environment
// as changes of `process.env` around `new Worker()`, which Node then copies natively (issue #18: no
// copy of the environment in JavaScript, nor Node's key-by-key copy of an `env` object, before each
// thread starts). The threads see the same environment as before, and the program's is left as it was.

import { Pool, Process } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/thread-env-tasks.mjs';

const threads = process.getBuiltinModule('node:worker_threads');
const NodeWorker = threads.Worker;
/** The `env` option of each `new Worker()` made while a test watches. */
let given: unknown[] | undefined;
afterEach(() => {
  threads.Worker = NodeWorker;
  given = undefined;
});
function watchWorkers(): unknown[] {
  const seen: unknown[] = [];
  given = seen;
  threads.Worker = class extends NodeWorker {
    constructor(...args: ConstructorParameters<typeof NodeWorker>) {
      seen.push(args[1]?.env);
      super(...args);
    }
  } as typeof NodeWorker;
  return seen;
}

const OWN = 'MP_THREAD_ENV58';
const POOL_VARIABLES = ['MULTIPROC_POOL_WORKER', 'MULTIPROC_POOL_PARENT', 'MULTIPROC_POOL_DIRECT'];

describe('a thread pool started from the main thread', () => {
  it('starts its threads with no env object; they see the environment of their start, the program keeps its own', {
    timeout: 60_000,
  }, async () => {
    // The program's first thread is tinypool's own (the pool's start wrapper is not in yet).
    const first = new Pool({ processes: 1, context: 'thread' });
    await first.apply(t.env, [[]]);
    await first.terminate();

    process.env[OWN] = 'at creation';
    // A variable of the pool's own, set in the program: the threads get the pool's value, and the
    // program keeps its own.
    process.env.MULTIPROC_POOL_WORKER = 'the program';
    const envBefore = { ...process.env };
    const seen = watchWorkers();
    const pool = new Pool({ processes: 2, context: 'thread' });
    try {
      const answers = await Promise.all([
        pool.apply(t.env, [[OWN, ...POOL_VARIABLES]]),
        pool.apply(t.env, [[OWN, ...POOL_VARIABLES]]),
      ]);
      for (const answer of answers) {
        // The pool entry took its variables out of the thread's environment.
        expect(answer.values).toEqual({
          [OWN]: 'at creation',
          MULTIPROC_POOL_WORKER: null,
          MULTIPROC_POOL_PARENT: null,
          MULTIPROC_POOL_DIRECT: null,
        });
        expect(answer.name).toMatch(/^ThreadPoolWorker-[12]$/);
      }
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(seen.every((env) => env === undefined)).toBe(true);
      expect({ ...process.env }).toEqual(envBefore);
    } finally {
      delete process.env[OWN];
      delete process.env.MULTIPROC_POOL_WORKER;
      await pool.terminate();
    }
  });

  it('gives a thread started later the environment of its own start', { timeout: 60_000 }, async () => {
    process.env[OWN] = 'at creation';
    const pool = new Pool({ processes: 1, context: 'thread', maxTasksPerChild: 1 });
    try {
      expect((await pool.apply(t.env, [[OWN]])).values[OWN]).toBe('at creation');
      process.env[OWN] = 'later';
      await pool.apply(t.env, [[OWN]]); // the worker started as the first retired
      const later = await pool.apply(t.env, [[OWN]]);
      expect(later.values[OWN]).toBe('later');
      expect(later.name).toBe('ThreadPoolWorker-3');
      expect(process.env[OWN]).toBe('later');
    } finally {
      delete process.env[OWN];
      await pool.terminate();
    }
  });
});

describe('a thread Process started from the main thread', () => {
  it('starts its thread with no env object; it sees the environment of its start, the program keeps its own', {
    timeout: 60_000,
  }, async () => {
    process.env[OWN] = 'at start';
    const envBefore = { ...process.env };
    const q = new Queue<{ values: Record<string, string | null>; name: string }>();
    const seen = watchWorkers();
    try {
      const p = new Process({ target: t.report, args: [q, [OWN]], context: 'thread', name: 'envProbe' });
      p.start();
      expect({ ...process.env }).toEqual(envBefore);
      const answer = await q.get({ timeout: 20_000 });
      await p.join();
      expect(answer).toEqual({ values: { [OWN]: 'at start' }, name: 'envProbe' });
      expect(seen).toEqual([undefined]);
      expect(p.exitCode).toBe(0);
    } finally {
      delete process.env[OWN];
      q.close();
    }
  });
});

describe('a program that replaced process.env with an object of its own', () => {
  it("still gives its pool threads and thread Processes that object's variables", {
    timeout: 60_000,
  }, async () => {
    const real = process.env;
    process.env = { ...real, [OWN]: 'replaced' };
    const q = new Queue<{ values: Record<string, string | null>; name: string }>();
    const pool = new Pool({ processes: 1, context: 'thread' });
    try {
      const answer = await pool.apply(t.env, [[OWN, 'MULTIPROC_POOL_WORKER']]);
      expect(answer.values).toEqual({ [OWN]: 'replaced', MULTIPROC_POOL_WORKER: null });
      expect(answer.name).toMatch(/^ThreadPoolWorker-\d+$/);
      const p = new Process({ target: t.report, args: [q, [OWN]], context: 'thread' });
      p.start();
      expect((await q.get({ timeout: 20_000 })).values).toEqual({ [OWN]: 'replaced' });
      await p.join();
      expect(OWN in real).toBe(false);
    } finally {
      process.env = real;
      q.close();
      await pool.terminate();
    }
  });
});
