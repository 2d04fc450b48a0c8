// Behaviours the contract leaves to Python: current_process() and parent_process() inside and
// outside workers, daemonic processes having children, and tasks that raise something other than
// an Error. Each in both contexts, with real workers.
import {
  ContextError,
  currentProcess,
  getStartMethod,
  type Process,
  parentProcess,
  TimeoutError,
  ValidationError,
} from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/parity-tasks.ts';
import { ownedWorkers } from './helpers.ts';

const own = ownedWorkers();

async function run(options: ConstructorParameters<typeof Process>[0]): Promise<Process> {
  const p = own.process(options);
  p.start();
  await p.join(); // the test's timeout bounds it: a start can take over 20 s on a loaded CI machine
  return p;
}

it('currentProcess() in the main thread is alive, has a pid and no exit code; no parent', () => {
  const me = currentProcess();
  expect(me).toMatchObject({ name: 'MainProcess', pid: process.pid, ident: process.pid, daemon: false });
  expect(me.isAlive()).toBe(true);
  expect(me.exitCode).toBeNull();
  expect(parentProcess()).toBeNull();
});

it("Python's spellings on currentProcess() throw ValidationError naming ours, as on a Process", () => {
  const me = currentProcess() as unknown as Record<string, unknown>;
  expect(() => me.is_alive).toThrow(ValidationError);
  expect(() => me.is_alive).toThrow(/isAlive\(\)/);
  expect(() => me.exitcode).toThrow(/exitCode/);
  expect(Object.keys(me)).not.toContain('is_alive');
});

describe.each(matrix(import.meta.url))('in the %s context', (context) => {
  it('currentProcess() and parentProcess() inside a Process and a pool worker', async () => {
    const q = own.queue();
    const p = await run({ target: tasks.reportMe, args: [q], name: 'reporter', context });
    expect(p.exitCode).toBe(0);
    const inProcess = await q.get({ timeout: 10_000 });
    expect(inProcess).toMatchObject({ name: 'reporter', daemon: false, alive: true, exitCode: null });
    expect(inProcess.pid).toBe(context === 'thread' ? process.pid : p.pid);
    expect(inProcess.ident).toBe(inProcess.pid);
    expect(inProcess.parent).toEqual({ pid: process.pid, name: 'MainProcess', alive: true });

    const pool = own.pool({ processes: 1, context });
    const inPool = await pool.apply(tasks.describeMe, []);
    expect(inPool).toMatchObject({ daemon: true, alive: true, exitCode: null });
    expect(inPool.parent).toEqual({ pid: process.pid, name: 'MainProcess', alive: true });
  });

  it('a task may return parentProcess(): it arrives as { pid, name }; ident and isAlive() stay in the worker', async () => {
    const pool = own.pool({ processes: 1, context });
    expect(await pool.apply(tasks.parentItself, [])).toEqual({ pid: process.pid, name: 'MainProcess' });
    expect(await pool.apply(tasks.parentMembers, [])).toEqual({
      ident: process.pid,
      alive: true,
      keys: ['pid', 'name'],
    });
  });

  it("Python's spellings on currentProcess() and parentProcess() in a worker name ours", async () => {
    const pool = own.pool({ processes: 1, context });
    expect(await pool.apply(tasks.pythonSpellings, [])).toEqual([
      expect.stringMatching(/^ValidationError: .*isAlive\(\)/),
      expect.stringMatching(/^ValidationError: .*exitCode/),
      expect.stringMatching(/^ValidationError: .*isAlive\(\)/),
    ]);
  });

  it('a daemon Process cannot start children (ContextError); others, and pool tasks, can', async () => {
    const q = own.queue();
    const daemon = await run({ target: tasks.startChild, args: [q, context], daemon: true, context });
    expect(daemon.exitCode).toBe(0);
    expect(await q.get({ timeout: 10_000 })).toEqual({
      started: false,
      name: 'ContextError',
      code: new ContextError('').code,
    });
    const plain = await run({ target: tasks.startChild, args: [q, context], context });
    expect(plain.exitCode).toBe(0);
    expect(await q.get({ timeout: 10_000 })).toEqual({ started: true, exitCode: 0 });
    const pool = own.pool({ processes: 1, context });
    await pool.apply(tasks.startChild, [q, context]);
    expect(await q.get({ timeout: 10_000 })).toEqual({ started: true, exitCode: 0 });
  }, 60_000); // three Processes and a pool, one after another: 18 s alone on a loaded 2-core machine

  it("a worker's start method is its own context, so what it starts without a context runs there too (CPython TestStartMethod)", async () => {
    const q = own.queue();
    const p = await run({ target: tasks.reportStartMethod, args: [q], context });
    const expected = { method: context, allowNone: context, defaultProcess: context };
    expect(await q.get({ timeout: 10_000 })).toEqual(expected);
    expect(p.exitCode).toBe(0);
    expect(await own.pool({ processes: 1, context }).apply(tasks.startMethod, [])).toEqual(expected);
    expect(getStartMethod(true)).toBeNull(); // the main program's own choice is untouched
  });

  // Five starts one after another, each inside the one above: over 60 s once in CI in the process
  // context, where every package's tests share 2 cores (a child's start took over 10 s there).
  it('a chain of five Processes, each started inside the target above it (CPython TestForkAwareThreadLock)', {
    timeout: 150_000,
  }, async () => {
    const [r, w] = Pipe({ duplex: false });
    const p = own.process({ target: tasks.chain, args: [5, w, context], context });
    p.start();
    w.close();
    const names = (await r.recv()) as string[];
    expect(names[0]).toMatch(/^Process-\d+$/);
    expect(names).toEqual([0, 1, 2, 3, 4].map((depth) => names[0] + ':1'.repeat(depth)));
    await p.join(60_000);
    expect(p.exitCode).toBe(0);
    r.close();
  });

  it('join(-1), AsyncResult.get(-1) and wait(-1) do not wait, as Python', async () => {
    const q = own.queue();
    const p = own.process({ target: tasks.waitFor, args: [q], context });
    p.start();
    await p.join(-1);
    expect(p.isAlive()).toBe(true); // it cannot end before the put below
    expect(p.exitCode).toBeNull();
    const pool = own.pool({ processes: 1, context });
    const r = pool.applyAsync(tasks.waitFor, [q]);
    await expect(r.get(-1)).rejects.toBeInstanceOf(TimeoutError);
    expect(await r.wait({ timeout: -1 })).toBe(false);
    await q.put(1);
    await q.put(2);
    await p.join();
    await r;
    expect(p.exitCode).toBe(0);
  });

  it('a pool call with a timeout of 0 or less rejects with TimeoutError, as a deadline already passed (Python: a negative timeout does not wait)', async () => {
    const pool = own.pool({ processes: 1, context });
    for (const timeout of [0, -1, -0.5, Number.NEGATIVE_INFINITY]) {
      await expect(pool.apply(tasks.noop, [], { timeout })).rejects.toBeInstanceOf(TimeoutError);
      await expect(pool.map(tasks.noop, [1, 2], { timeout })).rejects.toBeInstanceOf(TimeoutError);
    }
    await expect(pool.apply(tasks.noop, [], { timeout: Number.NaN })).rejects.toThrow(
      /timeout must be a number/,
    );
    expect(await pool.apply(tasks.describeMe, [])).toMatchObject({ alive: true }); // the pool still serves
  });

  it('a task that throws a plain object or a string rejects with that very value, not an Error', async () => {
    const pool = own.pool({ processes: 1, context });
    const err = await pool.apply(tasks.throwPlain, []).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(Error);
    expect(err).toEqual({ code: 42, msg: 'x', nested: { deep: [1, 2] } });

    const named = await pool.apply(tasks.throwNamed, []).catch((e: unknown) => e);
    expect(named).not.toBeInstanceOf(Error);
    expect(named).toEqual({ name: 'NotFound', message: 'no such row', status: 404 });

    const text = await pool.apply(tasks.throwString, []).catch((e: unknown) => e);
    expect(text).toBe('boom');

    const p = await run({ target: tasks.throwPlain, context });
    expect(p.exitCode).toBe(1);
  });
});
