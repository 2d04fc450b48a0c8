import { Process } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/terminate-tasks.ts';
import { isRunning } from './helpers.ts';

type Target = (typeof tasks)[keyof typeof tasks];

// Each test is bounded by the package's test timeout: while CI runs every suite on 2 cores one child
// can take 6-8 s to start and end, and a 10 s bound failed a test that started two.

const started: Process[] = [];

afterEach(() => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
});

/** Starts `target` and resolves once it has said it is ready. */
async function startReady(
  target: Target,
  context: 'thread' | 'process',
  options: { args?: unknown[]; daemon?: boolean } = {},
): Promise<Process> {
  const [mine, theirs] = Pipe();
  const p = new Process({
    target,
    args: [theirs, ...(options.args ?? [])] as never,
    context,
    daemon: options.daemon,
  });
  started.push(p);
  p.start();
  expect(await mine.recv()).toBe('ready');
  mine.close();
  theirs.close();
  return p;
}

describe('Process.terminate() in the process context', () => {
  it('kills a child that ignores SIGTERM with SIGKILL after the grace: exitCode -9', async () => {
    const p = await startReady(tasks.ignoreTerm, 'process');
    await p.terminate();
    expect(p.exitCode).toBe(-9);
    expect(p.isAlive()).toBe(false);
    expect(isRunning(p.pid as number)).toBe(false);
  });

  it.each([0, 7])('keeps the exit code of a child that exits by itself on SIGTERM: %i', async (code) => {
    const p = await startReady(tasks.exitOnTerm, 'process', { args: [code] });
    await p.terminate();
    expect(p.exitCode).toBe(code);
  });

  it('ends a daemon child that ignores SIGTERM and resolves', async () => {
    const p = await startReady(tasks.ignoreTerm, 'process', { daemon: true });
    await p.terminate();
    expect(p.exitCode).toBe(-9);
  });

  it('resolves every one of several concurrent terminate() calls', async () => {
    const p = await startReady(tasks.ignoreTerm, 'process');
    await Promise.all([p.terminate(), p.terminate(), p.join()]);
    expect(p.exitCode).toBe(-9);
    await p.terminate();
    expect(p.exitCode).toBe(-9);
  });
});

describe('Process.terminate() in the thread context', () => {
  it.each([
    ['handles SIGTERM', tasks.ignoreTerm],
    ['spins without returning to the event loop', tasks.spin],
    ['blocks in Atomics.wait', tasks.block],
  ] as const)('stops a thread that %s: exitCode -15', async (_, target) => {
    const p = await startReady(target, 'thread');
    await p.terminate();
    expect(p.exitCode).toBe(-15);
    expect(p.isAlive()).toBe(false);
  });
});
