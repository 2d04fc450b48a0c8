// Python lets a program rename itself: `current_process().name = 'worker-a'` (a logging idiom),
// and `Process.name` before or after start. Here too, in the main program, in Processes and in
// pool workers of both contexts; a non-string is refused with ValidationError.
import { currentProcess, type Process, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/name-tasks.ts';
import { ownedWorkers } from './helpers.ts';

const own = ownedWorkers();
const original = currentProcess().name;
afterEach(() => {
  currentProcess().name = original;
});

function started(options: ConstructorParameters<typeof Process>[0]): Process {
  const p = own.process(options);
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

describe.each(matrix(import.meta.url))('renaming in the %s context', (context) => {
  it("an empty name option gives the default name, as Python's `name or 'Process-N'`", () => {
    const p = own.process({ target: tasks.myName, name: '', context });
    expect(p.name).toMatch(/^Process-\d+$/);
    p.name = '';
    expect(p.name).toBe('');
  });

  it('a Process renames itself; a child it starts then reports that name as its parent', {
    timeout: 30_000,
  }, async () => {
    const [q, childQ] = [own.queue(), own.queue()];
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
    const q = own.queue();
    const p = started({ target: tasks.reportNames, args: [q], context });
    expect(await q.get({ timeout: 20_000 })).toEqual({ name: p.name, parent: 'renamed-main' });
    await p.join(20_000);
  });

  it('Process#name set before start() is the worker name; set after, only the object changes', {
    timeout: 30_000,
  }, async () => {
    const q = own.queue();
    const p = own.process({ target: tasks.reportNames, args: [q], context });
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
    const pool = own.pool({ processes: 1, context });
    const first = await pool.apply(tasks.rename, ['pool-a']);
    expect(first).toMatchObject({ after: 'pool-a', refused: { name: 'ValidationError' } });
    expect(first.before).toMatch(/PoolWorker/);
    expect(await pool.apply(tasks.myName, [])).toBe('pool-a');
  });
});
