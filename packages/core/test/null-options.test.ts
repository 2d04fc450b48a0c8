// Python users write None for "not given": every option of Pool, its calls and Process takes
// `null` where it takes `undefined`, with the same meaning (a timeout's null: no limit).
import { Pool, Process } from '@multiproc/core';
import { Barrier, Value } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/pool-tasks.ts';
import { ownedWorkers } from './helpers.ts';

const own = ownedWorkers();

describe.each(matrix(import.meta.url))('null options (Python None) in the %s context', (context) => {
  it('a Pool built with every option null runs calls whose every option is null', {
    timeout: 40_000,
  }, async () => {
    const pool = own.pool({
      processes: 1,
      context,
      initializer: null,
      initargs: null as never,
      maxTasksPerChild: null,
      minProcesses: null,
      maxQueue: null,
      resourceLimits: null,
    });
    const none = {
      signal: null,
      timeout: null,
      onMessage: null,
    } as const;
    const map = { ...none, chunksize: null, onProgress: null } as const;
    const callbacks = { callback: null, errorCallback: null } as const;
    expect(await pool.apply(tasks.square, [3], none)).toBe(9);
    expect(await pool.apply(tasks.readInit, null as never)).toBeUndefined();
    expect(await pool.applyAsync(tasks.square, [4], { ...none, ...callbacks }).get(null)).toBe(16);
    expect(await pool.applyAsync(tasks.readInit, null as never).get({ timeout: null })).toBeUndefined();
    expect(await pool.map(tasks.square, [1, 2], map)).toEqual([1, 4]);
    expect(await pool.mapAsync(tasks.square, [3], { ...map, ...callbacks })).toEqual([9]);
    expect(await pool.starmap(tasks.add, [[1, 2]], map)).toEqual([3]);
    expect(await pool.starmapAsync(tasks.add, [[2, 2]], { ...map, ...callbacks })).toEqual([4]);
    const seen: number[] = [];
    for await (const v of pool.imap(tasks.square, [5, 6], { ...map, inflight: null })) seen.push(v);
    for await (const v of pool.imapUnordered(tasks.square, [7], { ...map, inflight: null })) seen.push(v);
    expect(seen).toEqual([25, 36, 49]);
  });

  it('a Process with name, daemon, context and args null runs with the defaults', {
    timeout: 20_000,
  }, async () => {
    const p = own.process({ target: tasks.readInit, args: null as never, name: null, daemon: null, context });
    expect(p.name).toMatch(/^Process-/);
    expect(p.daemon).toBe(false);
    p.start();
    await p.join({ timeout: null });
    expect(p.exitCode).toBe(0);
  });
});

it('a Pool takes context: null (the default context) and idleTimeout: null (never, as a timeout null)', async () => {
  const pool = own.pool({ processes: 1, context: null, idleTimeout: null });
  expect(pool.context).toBe('thread');
  expect(await pool.apply(tasks.square, [2])).toBe(4);
  expect(() => new Pool({ processes: 1, idleTimeout: 'x' as never })).toThrow(/idleTimeout/);
});

it('Process options keep refusing a wrong type next to a null', () => {
  expect(() => new Process({ target: tasks.square, args: [1], name: 5 as never, daemon: null })).toThrow(
    /name/,
  );
});

it("shared memory's options take null: Value's lock (a new lock), Barrier's action and timeout", async () => {
  const v = new Value('i', 1, { lock: null });
  expect(v.getLock()).toBeDefined();
  const b = new Barrier(1, { action: null, timeout: null });
  expect(await b.wait()).toBe(0);
});
