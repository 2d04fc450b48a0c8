// A pipe's sender looping on sendBytes() without yielding, whose reader (a child process or
// thread) asked for its first message just after a message the sender already read: that demand
// waits in the kernel (or the port) until the sender's loop yields. Before, every message of the
// loop then waited at home, copied (a bench sample of 4096 x 64 KiB reached 335 MiB), and nothing
// reached the reader until the loop ended. The home now reads the reader's frames that arrived,
// so the messages go to the reader while the sender still loops.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/stall-tasks.mjs', import.meta.url).href);

const started: any[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SLEEP = new Int32Array(new SharedArrayBuffer(4));
// A bound on the other side's progress, never reached when it works (the machine may be loaded).
const LIVENESS_MS = 20_000;

// Waits for `file` to exist without yielding to this thread's event loop.
function appearsSync(file: string): boolean {
  const deadline = Date.now() + LIVENESS_MS;
  while (!existsSync(file)) {
    if (Date.now() > deadline) return false;
    Atomics.wait(SLEEP, 0, 0, 1);
  }
  return true;
}

describe.each(matrix(import.meta.url))('sendBytes() while the reader asks (%s)', (context) => {
  it('reaches the reader before the sender yields', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-stall-'));
    dirs.push(dir);
    const [a, b] = Pipe();
    const p = new core.Process({ target: tasks.reader, args: [b, dir], context });
    started.push(p);
    p.start();
    expect(await a.recv()).toBe('ready');
    // Its demand has left; this thread has not read it (it does not yield from here on).
    expect(appearsSync(join(dir, 'asked'))).toBe(true);
    const n = 256;
    const buf = new Uint8Array(64 * 1024);
    a.send(n);
    for (let i = 0; i < n; i++) a.sendBytes(buf);
    // Still without yielding: the reader has the first message (before, all of them waited here).
    expect(appearsSync(join(dir, 'got'))).toBe(true);
    expect(await a.recv()).toBe(n * buf.byteLength);
    await p.join();
    expect(p.exitCode).toBe(0);
  });
});
