// Python lets a program rename itself: `current_process().name = 'worker-a'` (a logging idiom),
// and `Process.name` before or after start. Here too, in the main program, in Processes and in
// pool workers of both contexts; a non-string is refused with ValidationError.
import { currentProcess, Pool, Process, ValidationError } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/name-tasks.ts';

const pools: Pool[] = [];
const processes: Process[] = [];
const queues: Queue<unknown>[] = [];
const original = currentProcess().name;
afterEach(async () => {
  currentProcess().name = original;
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  await Promise.all(processes.splice(0).map((p) => (p.isAlive() ? p.terminate() : undefined)));
  for (const q of queues.splice(0)) q.close();
});

function queue(): Queue<any> {
  const q = new Queue<unknown>();
  queues.push(q);
  return q;
}

function started(options: ConstructorParameters<typeof Process>[0]): Process {
  const p = new Process(options);
  processes.push(p);
  p.start();
  return p;
}

describe('currentProcess().name in the main program', () => {
  it('is assignable; every later currentProcess() reads the new name', () => {
    expect(original).toBe('MainProcess');
    currentProcess().name = 'worker-a';
    expect(currentProcess().name).toBe('worker-a');
    const me = currentProcess();
    me.name = 'worker-b';
    expect(currentProcess().name).toBe('worker-b');
  });

  it.each([5, null, undefined, { toString: () => 'x' }])(
    'refuses %s with ValidationError and keeps the name',
    (bad) => {
      currentProcess().name = 'kept';
      const set = () => {
        (currentProcess() as { name: unknown }).name = bad;
      };
      expect(set).toThrow(ValidationError);
      expect(currentProcess().name).toBe('kept');
    },
  );
});

describe.each(['thread', 'process'] as const)('renaming in the %s context', (context) => {
  it('a Process renames itself; a child it starts then reports that name as its parent', {
    timeout: 30_000,
  }, async () => {
    const [q, childQ] = [queue(), queue()];
    const p = started({
      target: tasks.renameThenStart,
      args: [q, 'worker-a', childQ, context],
      name: 'given',
      context,
    });
    expect(await q.get({ timeout: 20_000 })).toEqual({
      before: 'given',
      after: 'worker-a',
      refused: { name: 'ValidationError', code: 'MP_VALIDATION' },
    });
    expect(await childQ.get({ timeout: 20_000 })).toMatchObject({ parent: 'worker-a' });
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(p.name).toBe('given'); // the parent's Process object keeps its own name, as in Python
  });

  it('the main program renamed before start() is what its children report as their parent', {
    timeout: 30_000,
  }, async () => {
    currentProcess().name = 'renamed-main';
    const q = queue();
    const p = started({ target: tasks.reportNames, args: [q], context });
    expect(await q.get({ timeout: 20_000 })).toEqual({ name: p.name, parent: 'renamed-main' });
    await p.join(20_000);
  });

  it('Process#name set before start() is the worker name; set after, only the object changes', {
    timeout: 30_000,
  }, async () => {
    const q = queue();
    const p = new Process({ target: tasks.reportNames, args: [q], context });
    processes.push(p);
    p.name = 'before-start';
    p.start();
    p.name = 'after-start';
    expect(p.name).toBe('after-start');
    expect(await q.get({ timeout: 20_000 })).toMatchObject({ name: 'before-start' });
    expect(() => {
      (p as { name: unknown }).name = 7;
    }).toThrow(ValidationError);
    expect(p.name).toBe('after-start');
    await p.join(20_000);
  });

  it('a pool worker renames itself; its later tasks read the new name', { timeout: 30_000 }, async () => {
    const pool = new Pool({ processes: 1, context });
    pools.push(pool);
    const first = await pool.apply(tasks.rename, ['pool-a']);
    expect(first).toMatchObject({ after: 'pool-a', refused: { name: 'ValidationError' } });
    expect(first.before).toMatch(/PoolWorker/);
    expect(await pool.apply(tasks.myName, [])).toBe('pool-a');
  });
});
