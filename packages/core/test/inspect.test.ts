// `console.log(pool)`, `console.log(p)` and `console.log(result)` show state, as Python's reprs do
// (`<Pool state=RUN pool_size=2>`, `<Process name='Process-1' ... started>`), not an empty object
// or an EventEmitter's internals.
import { inspect } from 'node:util';
import { Pool, Process } from '@multiproc/core';
import { Queue, SimpleQueue } from '@multiproc/ipc';
import { Event, Lock, RLock, Semaphore } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks as parity } from './fixtures/parity-tasks.ts';
import { tasks } from './fixtures/tasks.ts';

const pools: Pool[] = [];
const processes: Process[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  await Promise.all(processes.splice(0).map((p) => p.terminate().catch(() => {})));
});

const show = (value: unknown) => inspect(value, { colors: false });

describe('inspect', () => {
  it('a Pool shows its state, size and context through close() and terminate()', async () => {
    const pool = new Pool({ processes: 2 });
    pools.push(pool);
    expect(show(pool)).toBe("Pool { state: 'running', processes: 2, context: 'thread' }");
    pool.close();
    expect(show(pool)).toBe("Pool { state: 'closed', processes: 2, context: 'thread' }");
    await pool.terminate();
    expect(show(pool)).toBe("Pool { state: 'terminated', processes: 2, context: 'thread' }");
    expect(show({ pool })).toBe("{ pool: Pool { state: 'terminated', processes: 2, context: 'thread' } }");
  });

  it("pool.imap() shows Python's IMapIterator and how to read it, not an internal class", {
    timeout: 20_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    // `const results = await pool.imap(...)`: a Python user's list(pool.imap(...)); await gives the iterator.
    const it = await pool.imap(tasks.sleep, [1, 2]);
    expect(show(it)).toBe("IMapIterator { done: false, read: 'for await (const v of it)' }");
    expect(Object.prototype.toString.call(it)).toBe('[object IMapIterator]');
    const got: unknown[] = [];
    for await (const v of it) got.push(v);
    expect(got).toEqual([undefined, undefined]);
    expect(show(it)).toMatch(/^IMapIterator \{ done: true/);
  });

  it("String(pool) says what it is, as Python's repr", async () => {
    const pool = new Pool({ processes: 2 });
    pools.push(pool);
    expect(String(pool)).toBe('<Pool state=running processes=2 context=thread>');
    await pool.terminate();
    expect(`${pool}`).toBe('<Pool state=terminated processes=2 context=thread>');
  });

  it('queues and locks do not show their structured-clone guard field', () => {
    const q = new Queue({ maxsize: 3 });
    const sq = new SimpleQueue();
    try {
      expect(show(q)).toBe('Queue { maxsize: 3 }');
      expect(show(sq)).toBe('SimpleQueue {}');
      expect(show(new Lock())).toBe('Lock { locked: false, owner: null }');
      expect(show(new RLock())).toBe('RLock { locked: false, owner: null, count: 0 }');
      expect(show(new Semaphore(2))).toBe('Semaphore { value: 2 }');
      expect(() => structuredClone(new Lock())).toThrow(/encodeValue/); // the guard still works
    } finally {
      q.close();
      sq.close();
    }
  });

  it("locks held in a thread Process print its name there, SomeOtherProcess here (CPython's test_repr_lock)", {
    timeout: 20_000,
  }, async () => {
    const [lock, rlock, go] = [new Lock(), new RLock(), new Event()];
    const q = new Queue<string[]>();
    const p = new Process({ target: parity.reprHeld, args: [lock, rlock, q, go], name: 'P1' });
    processes.push(p);
    p.start();
    expect(await q.get({ timeout: 15_000 })).toEqual(['<Lock(owner=P1)>', '<RLock(P1, 1)>']);
    expect(String(lock)).toBe('<Lock(owner=SomeOtherProcess)>');
    expect(String(rlock)).toBe('<RLock(SomeOtherProcess, nonzero)>');
    go.set();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect([String(lock), String(rlock)]).toEqual(['<Lock(owner=None)>', '<RLock(None, 0)>']);
    q.close();
  });

  it('a Process shows its name, pid, exit code and liveness, and that it is closed', async () => {
    const p = new Process({ target: tasks.noop, name: 'repr-1', context: 'process' });
    processes.push(p);
    expect(show(p)).toBe("Process { name: 'repr-1', pid: null, exitCode: null, alive: false }");
    p.start();
    expect(show(p)).toMatch(/^Process \{ name: 'repr-1', pid: \d+, exitCode: null, alive: true \}$/);
    await p.join();
    expect(show(p)).toBe(`Process { name: 'repr-1', pid: ${p.pid}, exitCode: 0, alive: false }`);
    p.close();
    expect(show(p)).toBe("Process { name: 'repr-1', closed: true }");
  });

  it.each(matrix(import.meta.url))(
    "String(p) has Python's repr fields: pid, parent, state, exit code (a signal by name), daemon (%s)",
    async (context) => {
      const p = new Process({ target: tasks.sleep, args: [60_000], name: 'repr-2', context, daemon: true });
      processes.push(p);
      const parent = `parent=${process.pid}`;
      expect(String(p)).toBe(`<Process name='repr-2' ${parent} initial daemon>`);
      p.start();
      expect(String(p)).toBe(`<Process name='repr-2' pid=${p.pid} ${parent} started daemon>`);
      await p.terminate();
      expect(String(p)).toBe(
        `<Process name='repr-2' pid=${p.pid} ${parent} stopped exitCode=SIGTERM daemon>`,
      );
      const q = new Process({ target: tasks.noop, context });
      processes.push(q);
      q.start();
      await q.join();
      expect(String(q)).toBe(`<Process name='${q.name}' pid=${q.pid} ${parent} stopped exitCode=0>`);
      q.close();
      expect(String(q)).toBe(`<Process name='${q.name}' ${parent} closed>`);
    },
  );

  it('an AsyncResult shows whether it is ready and successful', async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const slow = pool.applyAsync(tasks.sleep, [60_000]);
    expect(show(slow)).toBe('AsyncResult { ready: false }');
    // terminate() rejects it with PoolClosedError: ready, not successful.
    await pool.terminate();
    await Promise.allSettled([slow]);
    expect(show(slow)).toBe('AsyncResult { ready: true, successful: false }');
    const other = new Pool({ processes: 1 });
    pools.push(other);
    const done = other.applyAsync(tasks.noop, []);
    await done;
    expect(show(done)).toBe('AsyncResult { ready: true, successful: true }');
  });
});
