// Process.interrupt(), Python 3.14's: SIGINT to a child (it dies of it, -2, unless its target
// handles SIGINT and runs on); a thread gets no signals and is stopped as terminate() stops it, -2.
// Each join() waits for the end it checks, bounded by the package's test timeout: a child started
// while CI runs every suite on 2 cores can take seconds to boot (join(5000) ended before one did).
import { ClosedError, Process, ProcessError } from '@multiproc/core';
import { type Connection, Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/interrupt-tasks.ts';
import { endedAfterEach, isRunning } from './helpers.ts';

type Context = 'thread' | 'process';
const { started, conns } = endedAfterEach();

/** Starts `target` and resolves, with this side's end of its pipe, once it has said 'ready'. */
async function startReady(
  target: (typeof tasks)['nap' | 'handleInt' | 'spin'],
  context: Context,
  args: unknown[] = [],
): Promise<{ p: Process; conn: Connection }> {
  const [conn, theirs] = Pipe();
  conns.push(conn);
  const p = new Process({ target, args: [theirs, ...args] as never, context });
  started.push(p);
  p.start();
  theirs.close();
  expect(await conn.recv()).toBe('ready');
  return { p, conn };
}

describe.each(matrix(import.meta.url))('Process.interrupt() in the %s context', (context) => {
  it('ends a napping target without a SIGINT listener: exitCode -2', async () => {
    const { p } = await startReady(tasks.nap, context);
    expect(p.interrupt()).toBeUndefined();
    await p.join();
    expect(p.exitCode).toBe(-2);
    expect(p.isAlive()).toBe(false);
    if (context === 'process') expect(isRunning(p.pid as number)).toBe(false);
  });

  it('right after start(), before the target runs, ends it too: exitCode -2', async () => {
    const [mine, theirs] = Pipe();
    conns.push(mine, theirs);
    const p = new Process({ target: tasks.nap, args: [theirs], context });
    started.push(p);
    p.start();
    p.interrupt();
    await p.join();
    expect(p.exitCode).toBe(-2);
  });

  it('before start() throws ProcessError, as terminate() and kill() do; the process still starts', async () => {
    const p = new Process({ target: tasks.done, context });
    started.push(p);
    expect(await p.terminate().catch((error: unknown) => error)).toBeInstanceOf(ProcessError);
    expect(() => p.interrupt()).toThrow(ProcessError);
    expect([p.exitCode, p.isAlive(), p.pid]).toEqual([null, false, null]);
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('once it has ended does nothing: no error, exitCode kept', async () => {
    const p = new Process({ target: tasks.done, context });
    started.push(p);
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    p.interrupt();
    p.interrupt();
    await p.join();
    expect([p.exitCode, p.isAlive()]).toEqual([0, false]);
  });

  it('after close() throws ClosedError, as terminate() rejects with it', async () => {
    const p = new Process({ target: tasks.done, context });
    p.start();
    await p.join();
    p.close();
    const thrown = (() => {
      try {
        p.interrupt();
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ClosedError);
    const rejected = await p.terminate().catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(ClosedError);
    expect((thrown as ClosedError).code).toBe((rejected as ClosedError).code);
  });

  it('refuses an argument (no signal to choose) with ValidationError', async () => {
    const { p } = await startReady(tasks.nap, context);
    expect(() => (p.interrupt as (...a: unknown[]) => void)('SIGTERM')).toThrow(
      expect.objectContaining({ name: 'ValidationError' }),
    );
    expect(p.isAlive()).toBe(true);
  });
});

describe('Process.interrupt() in the process context, with a SIGINT listener', () => {
  it('runs the listener, which decides the end: process.exit(0) gives exitCode 0', async () => {
    const { p, conn } = await startReady(tasks.handleInt, 'process', [0]);
    p.interrupt();
    expect(await conn.recv()).toBe('handled');
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
  });

  it('a listener that does not exit keeps the child running; terminate() ends it', async () => {
    const { p, conn } = await startReady(tasks.handleInt, 'process', [null]);
    p.interrupt();
    expect(await conn.recv()).toBe('handled');
    // Still running: it handles the next one too.
    p.interrupt();
    expect(await conn.recv()).toBe('handled');
    expect([p.isAlive(), p.exitCode]).toEqual([true, null]);
    await p.terminate();
    expect(p.exitCode).toBe(-15);
  });
});

describe('Process.interrupt() in the thread context, where no signal arrives', () => {
  it.each([
    ['has a SIGINT listener (which never runs)', tasks.handleInt, [0]],
    ['spins without returning to the event loop', tasks.spin, []],
  ] as const)('stops a thread that %s: exitCode -2', async (_, target, args) => {
    const { p, conn } = await startReady(target, 'thread', [...args]);
    p.interrupt();
    await p.join();
    expect(p.exitCode).toBe(-2);
    expect(p.isAlive()).toBe(false);
    // Nothing came after 'ready': the listener never ran, and the pipe's other end is gone.
    await expect(conn.recv()).rejects.toMatchObject({ name: 'EOFError' });
  });
});
