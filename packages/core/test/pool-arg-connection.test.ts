// A pipe end passed to a pool task is the task's own copy (CONTRACT "IPC": each side's close()
// closes only its own handle). A task that closes it (or `using`) lets the other end see EOF once
// the caller closed its copy too; a task that keeps it in a global (as Python code may) can use it
// in later tasks, and the other end sees no EOF meanwhile. A copy a task neither closed nor kept
// closes only when its worker collects it (see the pool guide, "Pipes and queues in tasks").
import { EOFError } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/arg-conn-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

describe.each(matrix(import.meta.url))('a pipe end passed to a pool task (%s)', (context) => {
  it('closed by the task: the other end gets what it sent, then EOFError', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const [a, b] = Pipe<string>();
    expect(await pool.apply(t.sendAndClose, [b, 'x'])).toBe('closed');
    b.close();
    expect(await a.recv()).toBe('x');
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
    a.close();
  });

  it('kept by the task in a global: later tasks still send on it', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const [a, b] = Pipe<string>();
    expect(await pool.apply(t.keep, [b])).toBe('kept');
    b.close();
    expect(await pool.apply(t.sendKept, ['later'])).toBe('sent');
    expect(await a.recv()).toBe('later');
    expect(await a.poll()).toBe(false);
    a.close();
  });
});
