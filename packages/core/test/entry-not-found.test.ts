// A worker that dies at start because tinypool cannot find its own entry (a bundle that put
// tinypool's chunk in another folder than `entry/`, as Vite does with `assets/`) is reported as
// WorkerEntryNotFoundError naming the path it looked for, not as a thread-limit WorkerStartError.
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WorkerEntryNotFoundError, WorkerStartError } from '../src/errors.js';
import { diedStarting } from '../src/internal/start-failure.js';

/** The error a real thread reports when started from `file`, which does not exist. */
function threadStartError(file: string): Promise<unknown> {
  return new Promise((resolve) => {
    const worker = new Worker(file);
    worker.once('error', resolve);
    worker.once('exit', () => resolve(undefined));
  });
}

describe('diedStarting with a missing tinypool entry', () => {
  it('names the entry/worker.js path a thread could not load, and says to keep it beside the chunk', async () => {
    const missing = '/nowhere/app/assets/entry/worker.js';
    const cause = await threadStartError(missing);
    expect(cause).toBeInstanceOf(Error);
    const error = diedStarting('thread', 1, null, cause);
    expect(error).toBeInstanceOf(WorkerEntryNotFoundError);
    expect(error.code).toBe('MP_WORKER_ENTRY_NOT_FOUND');
    expect((error as WorkerEntryNotFoundError).searched).toEqual([missing]);
    expect((error as WorkerEntryNotFoundError).entry).toBe('pool');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain(missing);
    expect(error.message).toContain("chunkFileNames: '[name]-[hash].js'");
    expect(error.message).not.toMatch(/fewer workers|limits/);
  }, 10_000);

  it('names the entry/process.js path a child could not load (as Node reports it)', async () => {
    const missing = '/nowhere/app/assets/entry/process.js';
    const child = fork(missing, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    // Node prints `Error: Cannot find module ...`, or `Error [ERR_MODULE_NOT_FOUND]: ...` under an
    // `--import` preload: the library reads both, so the test does too.
    const header = /^Error(?: \[\w+\])?: (.*)$/m.exec(stderr);
    const cause = new Error(header?.[1]);
    const error = diedStarting('process', 1, null, cause);
    expect(error).toBeInstanceOf(WorkerEntryNotFoundError);
    expect((error as WorkerEntryNotFoundError).searched).toEqual([missing]);
  }, 10_000);

  it("keeps a task module's own missing import a start failure, not a missing entry", async () => {
    const cause = await threadStartError('/nowhere/app/tasks.js');
    const error = diedStarting('thread', 1, null, cause);
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error).not.toBeInstanceOf(WorkerEntryNotFoundError);
  }, 10_000);
});
