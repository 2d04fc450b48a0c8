// Start-up cost (issue #18), guarded by what is loaded, never by timings: zod, node:net,
// node:crypto, node:child_process, node:v8, node:perf_hooks, tinypool and the files loaded on first
// use (`dist/lazy/`: core's tinypool adapter; ipc's managers and Listener/Client) stay unloaded
// until something needs them, in the program and in its workers; a Process worker loads only its
// entry and what its task module imports (core's index, one file: not core's hub, nor a chunk, nor
// node:worker_threads in a child), and
// so does a pool worker;
// options that skip zod are still refused with zod's messages when they are wrong.
import { Pool, Process, ValidationError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { runProgram } from './helpers.ts';

const NOTHING = { builtins: [], zod: false, lazy: [] };
/** The files of core's `dist` a `Process` worker parses: its entry, and the index (one file, no chunk). */
const PROCESS_WORKER_FILES = ['index.js', 'worker/process-entry.js'];
/** The same for a pool worker. */
const POOL_WORKER_FILES = ['index.js', 'worker/pool-entry.js'];

describe('start-up loads only what is used', () => {
  it('the import (no worker_threads or os either), Process and pool workers load no zod, net, crypto, child_process, v8, perf_hooks or lazy file', async () => {
    // Up to a minute: on a busy machine its dozen worker starts and calls can take over 20 s.
    const { stdout, stderr, code } = await runProgram('lazy-loads.mjs', [], {}, 60_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      atImport: NOTHING,
      // The program that starts a Process loads core's Process hub, not the pool's chunk nor ipc's
      // managers.
      afterThreadProcess: { ...NOTHING, lazy: ['core/chunks/hub'] },
      // A Process worker loads its entry and what the task module's import loads, not the hub
      // (the pool's and the host's code); a child process does not load node:worker_threads.
      inThreadProcess: {
        workerThreads: true,
        // Not even node:url: its ES task module's defineTasks() finds its call site by URL.
        url: false,
        zod: false,
        lazy: [],
        core: PROCESS_WORKER_FILES,
        utilLazy: [],
      },
      inProcessProcess: {
        workerThreads: false,
        url: expect.any(Boolean), // a child's runtime may load it itself
        zod: false,
        lazy: [],
        core: PROCESS_WORKER_FILES,
        utilLazy: [],
      },
      inPoolWorker: NOTHING,
      inProcessPoolWorker: { zod: false, lazy: [] },
      // A pool worker loads its entry and the task module's imports, not the hub either, nor the
      // modules behind node:util's lazy exports (an ES import of node:util loads them).
      // (A program's first pool thread starts with tinypool's entry, which loads node:url.)
      poolWorkerLoads: {
        workerThreads: true,
        url: expect.any(Boolean),
        zod: false,
        lazy: [],
        core: POOL_WORKER_FILES,
        utilLazy: [],
      },
      processPoolWorkerLoads: {
        workerThreads: false,
        url: expect.any(Boolean),
        zod: false,
        lazy: [],
        core: POOL_WORKER_FILES,
        utilLazy: [],
      },
      zodAfterPool: false,
      // A pool loads both hubs (the pool's code is in its own chunk), its first-use file and tinypool.
      lazyAfterPool: [
        'core/chunks/hub',
        'core/chunks/pool',
        'core/first-use',
        'core/pool/tinypool',
        'tinypool',
      ],
    });
  }, 90_000);
});

describe('options the quick check passes on to zod', () => {
  const message = (make: () => unknown): string => {
    try {
      make();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as Error).message;
    }
    throw new Error('expected a ValidationError');
  };

  it.each([
    [{ processes: 2.5 }, "Invalid option 'processes' for Pool"],
    [{ processes: 5000 }, "Invalid option 'processes' for Pool"],
    [{ idleTimeout: -1 }, "Invalid option 'idleTimeout' for Pool"],
    [{ context: 'spawn' }, "Python's start method 'spawn'"],
    [{ maxtasksperchild: 3 }, 'In multiproc it is spelt maxTasksPerChild'],
    [{ resourceLimits: { heapMb: 64 } }, "Unknown option 'resourceLimits.heapMb' for new Pool()"],
  ])('new Pool(%j) is refused with zod’s message', (options, text) => {
    expect(message(() => new Pool(options as never))).toContain(text);
  });

  it.each([
    [{ target: tasks.square, daemon: 'yes' }, "Invalid option 'daemon' for Process"],
    [{ target: tasks.square, args: 3 }, "Invalid option 'args' for Process"],
    [{ target: tasks.square, context: 'fork' }, "Python's start method 'fork'"],
    [{ target: tasks.square, kwargs: {} }, "'kwargs' is spelt args"],
  ])('new Process(%j) is refused with zod’s message', (options, text) => {
    expect(message(() => new Process(options as never))).toContain(text);
  });

  it.each([
    [{ chunksize: 0 }, "Invalid option 'chunksize' for Pool.map"],
    [{ chunksize: 2.5 }, "Invalid option 'chunksize' for Pool.map"],
    [{ onProgress: 'log' }, "Invalid option 'onProgress' for Pool.map"],
    [{ timeout: '5' }, "Invalid option 'timeout' for Pool.map"],
    [{ signal: {} }, "Invalid option 'signal' for Pool.map"],
  ])('pool.map(task, items, %j) is refused with zod’s message', async (options, text) => {
    const pool = new Pool({ processes: 1, context: 'thread' });
    try {
      await expect(pool.map(tasks.square, [1], options as never)).rejects.toThrow(text);
      expect(() => pool.imap(tasks.square, [1], { ...options, inflight: 0 } as never)).toThrow(
        ValidationError,
      );
    } finally {
      await pool.terminate();
    }
  });

  it('options the quick check leaves to zod still work when they are right', async () => {
    const pool = new Pool({
      processes: 1,
      context: 'thread',
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    try {
      expect(await pool.apply(tasks.square, [7])).toBe(49);
    } finally {
      await pool.terminate();
    }
  }, 30_000);
});
