// What a Pool tells its watchers: events and NODE_DEBUG=multiproc lines.
import { Pool, WorkerCrashedError, type WorkerExitInfo } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { failureTasks as t } from './fixtures/failure-tasks.ts';
import { runProgram } from './helpers.ts';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe.each(matrix(import.meta.url))('Pool events in %s context', (context) => {
  it('tells worker creation, exits with code, signal and reason, crashes and drain', async () => {
    const pool = new Pool({ processes: 1, context, maxTasksPerChild: 2 });
    pools.push(pool);
    const events: string[] = [];
    const exits: WorkerExitInfo[] = [];
    pool.on('workerCreate', (w) => events.push(`create ${w.id}`));
    pool.on('workerDestroy', (w) => {
      exits.push(w);
      events.push(`destroy ${w.id} ${w.reason}`);
    });
    pool.on('crash', (c) => events.push(`crash ${c.id} ${c.exitCode} ${c.signal}`));
    let drains = 0;
    pool.on('drain', () => drains++);
    await pool.apply(t.quick, []);
    await expect(pool.apply(t.traced, ['/dev/null', 1, { kind: 'exit', code: 6 }])).rejects.toBeInstanceOf(
      WorkerCrashedError,
    );
    await Promise.all([pool.apply(t.quick, []), pool.apply(t.quick, [])]);
    await expect.poll(() => events.filter((e) => e.startsWith('destroy')).length).toBe(2);
    expect(drains).toBeGreaterThanOrEqual(3);
    await pool.terminate();
    expect(events.slice(0, 4)).toEqual(['create 1', 'crash 1 6 null', 'destroy 1 crashed', 'create 2']);
    expect(events).toContain('destroy 2 retired');
    expect(events.at(-1)).toMatch(/^destroy 3 terminated$/);
    expect(exits[0]).toMatchObject({ id: 1, exitCode: 6, signal: null, reason: 'crashed' });
    if (context === 'process') expect(exits[0]!.pid).not.toBe(process.pid);
    else expect(exits[0]!.threadId).toBeGreaterThan(0);
  });

  it('NODE_DEBUG=multiproc logs start, crash, retirement, replacement and exit, one line each', async () => {
    const { stdout, stderr, code } = await runProgram('pool-debug.mjs', [context], {
      NODE_DEBUG: 'multiproc',
    });
    expect(code).toBe(0);
    expect(stdout).toBe('WorkerCrashedError\n');
    const lines = stderr.split('\n').filter((line) => line.startsWith('MULTIPROC'));
    const says = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
    expect(says(/pool \d+: worker 1 \(.+\) started$/)).toBe(1);
    expect(says(/worker 1 .* retiring after 1 task$/)).toBe(1);
    expect(says(/worker 2 .* started, replacing worker 1$/)).toBe(1);
    expect(says(/worker 2 .* crashed \(code 3\)/)).toBe(1);
    expect(says(/worker 3 .* started, replacing worker 2$/)).toBe(1);
    expect(says(/worker 1 .* exited \((code \d+|signal SIGTERM), retired\)$/)).toBe(1);
    expect(says(/worker 2 .* exited \(code 3, crashed\)$/)).toBe(1);
    // Worker 3 retires after its task; a closed pool with nothing left to run starts no
    // replacement once it has exited (as Python's), and close() + join() ends any worker
    // gracefully: not the word for terminate().
    expect(says(/worker 3 .* exited \((code \d+|signal SIGTERM), retired\)$/)).toBe(1);
    expect(says(/exited \((code \d+|signal SIGTERM), closed\)$/)).toBeLessThanOrEqual(1);
    expect(says(/terminated/)).toBe(0);
  });

  it('a closed pool joined reports its workers closed; terminate() reports them terminated', async () => {
    const reasons = async (end: (pool: Pool) => Promise<void>) => {
      const pool = new Pool({ processes: 2, context, minProcesses: 2 });
      pools.push(pool);
      const seen: string[] = [];
      pool.on('workerDestroy', (w) => seen.push(w.reason));
      await Promise.all([pool.apply(t.quick, []), pool.apply(t.quick, [])]);
      await end(pool);
      return seen;
    };
    const closed = await reasons(async (pool) => {
      pool.close();
      await pool.join();
    });
    expect(closed.length).toBeGreaterThan(0);
    expect(new Set(closed)).toEqual(new Set(['closed']));
    const terminated = await reasons((pool) => pool.terminate());
    expect(terminated.length).toBeGreaterThan(0);
    expect(new Set(terminated)).toEqual(new Set(['terminated']));
  }, 30_000);

  it('NODE_DEBUG=multiproc logs a Process start and its exit code or signal', async () => {
    const { stdout, stderr, code } = await runProgram('process-debug.mjs', [context], {
      NODE_DEBUG: 'multiproc',
    });
    expect(code).toBe(0);
    expect(stdout).toBe('0 -9\n');
    const lines = stderr.split('\n').filter((line) => line.startsWith('MULTIPROC'));
    const where = context === 'thread' ? 'thread \\d+' : 'pid \\d+';
    const says = (pattern: string) => lines.filter((line) => new RegExp(pattern).test(line)).length;
    expect(says(`process quick \\(${where}\\): started$`)).toBe(1);
    expect(says(`process quick \\(${where}\\): exited \\(code 0\\)$`)).toBe(1);
    expect(says(`process stuck \\(${where}\\): started$`)).toBe(1);
    expect(says(`process stuck \\(${where}\\): exited \\(signal SIGKILL\\)$`)).toBe(1);
  }, 30_000);
});
