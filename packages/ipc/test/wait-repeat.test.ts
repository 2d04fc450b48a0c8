// wait() with the same object twice fails at the call, as Python's does on POSIX (its selector's
// register() raises KeyError "already registered"); distinct objects, mixed kinds, still work. An
// empty list with no timeout could never return, so it fails at the call too.
import { ValidationError } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { type Connection, Pipe, Queue, wait } from '../src/index.js';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/tasks.mjs', import.meta.url).href);

const ends: Connection[] = [];
const queues: Queue<unknown>[] = [];
afterEach(() => {
  killProcesses();
  for (const c of ends.splice(0)) c.close();
  for (const q of queues.splice(0)) q.close();
});

function pipe(): [Connection, Connection] {
  const pair = Pipe();
  ends.push(...pair);
  return pair;
}

describe('wait() with a repeated object', () => {
  it('rejects a connection given twice with ValidationError naming both indexes, ready or not', async () => {
    const [a, b] = pipe();
    const [, d] = pipe();
    await expect(wait([b, b], 100)).rejects.toBeInstanceOf(ValidationError);
    await expect(wait([d, b, d], 100)).rejects.toThrow(/objects\[2\] repeats objects\[0\]/);
    a.send('x');
    await expect(wait([b, d, b])).rejects.toThrow(/objects\[2\] repeats objects\[0\]/);
    expect(await wait([b, d], 1000)).toEqual([b]); // the value is still there
    expect(await b.recv()).toBe('x');
  }, 10_000);

  it('rejects a queue given twice, and takes a connection beside a queue', async () => {
    const [a, b] = pipe();
    const q = new Queue<number>();
    queues.push(q);
    await expect(wait([q, b, q], 100)).rejects.toThrow(/objects\[2\] repeats objects\[0\]/);
    await q.put(1);
    a.send('y');
    const ready = await wait([b, q], 5000);
    expect(ready).toContain(b);
    expect((await wait([b, q], 5000)).sort()).toEqual([b, q].sort());
  }, 10_000);

  it.each(matrix(import.meta.url))(
    'rejects the same %s sentinel twice; a Process beside its own sentinel is two objects',
    async (context) => {
      const [, b] = pipe();
      const p = startProcess(context, tasks.ignore, [null]);
      await expect(wait([p.sentinel, b, p.sentinel], 100)).rejects.toThrow(
        /objects\[2\] repeats objects\[0\]/,
      );
      await expect(wait([p, p])).rejects.toBeInstanceOf(ValidationError);
      expect(await wait([p, p.sentinel], 20_000)).toEqual([p, p.sentinel]);
      expect(p.exitCode).toBe(0);
    },
    30_000,
  );

  it('rejects an empty list with no timeout, and waits out a timeout on one', async () => {
    await expect(wait([])).rejects.toBeInstanceOf(ValidationError);
    await expect(wait([], Number.POSITIVE_INFINITY)).rejects.toThrow(/never return/);
    expect(await wait([], 10)).toEqual([]);
    expect(await wait([], 0)).toEqual([]);
  }, 10_000);

  it('names a non-waitable item with ValidationError before looking for repeats', async () => {
    const [, b] = pipe();
    await expect(wait([b, 42, b] as never, 10)).rejects.toThrow(/objects\[1\] is/);
    await expect(wait([b, 42, b] as never, 10)).rejects.toBeInstanceOf(ValidationError);
  }, 10_000);
});
