// A pipe's sender at home that loops without yielding, and whose reader in another thread or
// process reads late or slowly: what waits for that reader (at home, or sent and not taken yet)
// stays under a budget, as Python's `send()` blocks once the OS pipe buffer is full, instead of
// piling up, copied, until the sender yields (before: 4096 x 64 KiB to a reader busy 300 ms grew
// the parent's RSS by ~230 MiB). A reader that really does not read yet is waited for only a
// while (the program goes on, as it did), and messages sent before any reader exists never wait.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/budget-tasks.mjs', import.meta.url).href);

const dirs: string[] = [];
afterEach(() => {
  killProcesses();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SIZE = 64 * 1024;
const N = 2048; // 128 MiB in all
const EVERY = 16;
// What may wait for the reader: the budget (8 MiB, ~127 of these messages), doubled each time the
// reader took nothing for the sender's patience (1 s: so at most once per second the sends took; a
// loaded machine may hold a just-started reader back that long, once or more), plus the reader's
// report lag. Once is allowed however quick the sends were.
function maxLag(ms: number): number {
  return 128 * 2 ** Math.max(1, Math.floor(ms / 1000)) + 2 * EVERY + 64;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-budget-'));
  dirs.push(dir);
  return dir;
}

// What the reader took: its shared counter (a thread), or as it last wrote it in a file (a file
// being rewritten may read empty: `known` then).
function taken(dir: string | Int32Array, known: number): number {
  if (typeof dir !== 'string') return Atomics.load(dir, 0);
  const file = join(dir, 'taken');
  return Math.max(known, existsSync(file) ? Number(readFileSync(file, 'utf8')) || 0 : 0);
}

// Sends N messages without yielding; the most that were sent and not taken at any point, checked
// against what the time the sends took allows.
function sendAll(a: { sendBytes(b: Uint8Array): void }, dir: string | Int32Array): void {
  const buf = new Uint8Array(SIZE);
  const start = performance.now();
  let lag = 0;
  let took = 0;
  for (let i = 0; i < N; i++) {
    a.sendBytes(buf);
    if (i % 32 !== 31) continue;
    took = taken(dir, took);
    lag = Math.max(lag, i + 1 - took);
  }
  expect(lag).toBeLessThanOrEqual(maxLag(performance.now() - start));
}

describe.each(matrix(import.meta.url))('a pipe whose reader reads late (%s)', (context) => {
  it('its sender waits for it: what waits stays bounded', { timeout: 60_000 }, async () => {
    const dir = context === 'thread' ? new Int32Array(new SharedArrayBuffer(4)) : tempDir();
    const [a, b] = Pipe();
    const p = startProcess(context, tasks.lateReader, [b, dir, 200, N, EVERY]);
    expect(await a.recv()).toBe('ready');
    sendAll(a, dir);
    expect(await a.recv()).toBe(N * SIZE);
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('messages sent before the reader exists do not wait for it', { timeout: 60_000 }, async () => {
    const [a, b] = Pipe();
    const [gate, go] = Pipe();
    const n = 256; // 16 MiB, twice the budget
    const buf = new Uint8Array(SIZE);
    for (let i = 0; i < n; i++) a.sendBytes(buf);
    const p = startProcess(context, tasks.readsAfterGo, [b, go, n, false]);
    gate.send('go');
    expect(await a.recv()).toBe(n * SIZE);
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('a reader that waits for the sender first: the sender goes on', { timeout: 60_000 }, async () => {
    const [a, b] = Pipe();
    const [gate, go] = Pipe();
    const p = startProcess(context, tasks.readsAfterGo, [b, go, 192, true]);
    expect(await a.recv()).toBe('ready'); // its copy is in use; it reads only after 'go'
    const buf = new Uint8Array(SIZE);
    for (let i = 0; i < 192; i++) a.sendBytes(buf); // 12 MiB: past the budget
    gate.send('go');
    expect(await a.recv()).toBe(192 * SIZE);
    await p.join();
    expect(p.exitCode).toBe(0);
  });
});

describe('a pipe whose reader has just started (thread)', () => {
  it('its sender waits for it: what waits stays bounded', { timeout: 60_000 }, async () => {
    const taken = new Int32Array(new SharedArrayBuffer(4));
    const [a, b] = Pipe();
    const p = startProcess('thread', tasks.lateReader, [b, taken, -1, N, EVERY]);
    sendAll(a, taken);
    expect(await a.recv()).toBe(N * SIZE);
    await p.join();
  });
});
