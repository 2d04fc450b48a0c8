// A manager's Queue proxy has the queue surface of the other queues (putNowait, getNowait, empty,
// full; Python's spellings named), and an unsendable argument of a proxy call is named the way
// the caller wrote it (`value.onDone`, as for a plain Queue), not as request arguments.
import { QueueEmptyError, QueueFullError, SerializationError, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/queue-proxy-tasks.mjs', import.meta.url).href);
const { cleanup, manager } = managerTestKit();

async function pathOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SerializationError);
  expect((err as Error).message).toContain((err as SerializationError).path);
  return (err as SerializationError).path;
}

describe('a manager Queue proxy', () => {
  it('putNowait, getNowait, empty and full behave as a Queue’s', async () => {
    const m = await manager();
    for (const q of [m.Queue<number>(1), m.JoinableQueue<number>(1)]) {
      expect(await q.empty()).toBe(true);
      expect(await q.full()).toBe(false);
      await expect(q.getNowait()).rejects.toBeInstanceOf(QueueEmptyError);
      await q.putNowait(1);
      expect(await q.full()).toBe(true);
      expect(await q.empty()).toBe(false);
      await expect(q.putNowait(2)).rejects.toBeInstanceOf(QueueFullError);
      expect(await q.getNowait()).toBe(1);
      expect(await q.qsize()).toBe(0);
    }
    const unbounded = m.Queue<number>();
    for (let i = 0; i < 5; i++) await unbounded.putNowait(i);
    expect(await unbounded.full()).toBe(false);
  });

  it('a maxsize of 0 or less is unbounded, as new Queue({ maxsize: -1 }) (Python: Queue(-1))', async () => {
    const m = await manager();
    for (const q of [m.Queue<number>(-1), m.JoinableQueue<number>(-5), m.Queue<number>(0)]) {
      for (let i = 0; i < 5; i++) await q.putNowait(i);
      expect(await q.full()).toBe(false);
      expect(await q.qsize()).toBe(5);
    }
    expect(() => m.Queue(1.5)).toThrow(ValidationError);
    expect(() => m.JoinableQueue('2' as never)).toThrow(ValidationError);
  });

  it('names the JavaScript spelling when Python’s is used', async () => {
    const q = (await manager()).JoinableQueue() as unknown as Record<string, unknown>;
    expect(() => q.put_nowait).toThrow(ValidationError);
    expect(() => q.get_nowait).toThrow(/getNowait\(\)/);
    expect(() => q.task_done).toThrow(/taskDone\(\)/);
  });

  it('an unsendable argument is named as the caller wrote it, and the next call works', async () => {
    const m = await manager();
    const fn = { onDone() {} };
    const q = m.Queue();
    expect(await pathOf(q.put(fn))).toBe('value.onDone');
    expect(await pathOf(q.putNowait(fn))).toBe('value.onDone');
    const d = m.dict();
    expect(await pathOf(d.set('k', fn))).toBe('value.onDone');
    expect(await pathOf(d.setdefault('k', fn))).toBe('value.onDone');
    expect(await pathOf(d.update([['k', fn]]))).toBe('entries[0][1].onDone');
    const l = m.list<unknown>([0]);
    expect(await pathOf(l.append(fn))).toBe('value.onDone');
    expect(await pathOf(l.extend([1, fn]))).toBe('values[1].onDone');
    expect(await pathOf(l.insert(0, fn))).toBe('value.onDone');
    expect(await pathOf(l.set(0, fn))).toBe('value.onDone');
    const ns = m.Namespace();
    expect(await pathOf(ns.set('x', fn))).toBe('value.onDone');
    await q.put(1);
    await d.set('k', 1);
    expect([await q.get(), await d.get('k'), await d.len(), await l.copy()]).toEqual([1, 1, 1, [0]]);
  });
});

describe.each(matrix(import.meta.url))('a manager Queue proxy in a worker (%s)', (context) => {
  it('has the non-blocking calls there, and names an unsendable put as value', {
    timeout: 30_000,
  }, async () => {
    const q = (await manager()).Queue(1);
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    expect(await pool.apply(tasks.nowait, [q])).toEqual([
      true,
      'QueueEmptyError',
      undefined,
      true,
      'QueueFullError',
      'SerializationError value.onDone',
      'a',
      true,
    ]);
  });
});
