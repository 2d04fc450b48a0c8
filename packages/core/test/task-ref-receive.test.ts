// A task reference received through a queue, a pipe or as a pool call's result in a worker can be
// called at once, though the worker never imported its module: get()/recv()/the call import it
// before they resolve, as Python's unpickling imports a function's module (`f = q.get(); f(2)`
// works in Python). Not in the program's main thread (see below).
// A module that cannot be imported rejects that receive with ProcessError and consumes the item;
// the receives after it get the next items, settling in queue order.
import { Pool, Process, ProcessError } from '@multiproc/core';
import { JoinableQueue, Pipe, Queue, SimpleQueue } from '@multiproc/ipc';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/ref-receive/peers.mjs';
import { poolMaker } from './helpers.js';

const newPool = poolMaker();

// Makes the references the host sends: vitest's module runner drops the query of a URL the test
// imports itself, so a worker imports far.mjs?k=<key> and returns the reference (whose module the
// host then imports as a pool call's result). The pools under test never ran a task of it.
let maker: Pool | undefined;
afterAll(async () => {
  await maker?.terminate();
});
type Ref = (x: number) => number | Promise<number>;
const makeRef = (key: string, throws?: 'worker'): Promise<Ref> => {
  maker ??= new Pool({ processes: 1, initializer: tasks.markMaker });
  return maker.apply(tasks.refOf, [key, throws ?? null, 'triple']) as Promise<Ref>;
};

let keys = 0;
/** A URL of far.mjs no test used before: no realm has imported it. */
const freshKey = (): string => `${process.pid}-${++keys}`;
const TIMEOUT = 20_000;
const N = 200;
const AT = 73;
/** `N` numbers, the one at `AT` replaced by 'REF'. */
const items = (): (number | string)[] => Array.from({ length: N }, (_, i) => (i === AT ? 'REF' : i));
/** What drain() reports for items(): the reference is called with 2. */
const expected = (ref: string): (number | string)[] => items().map((v) => (v === 'REF' ? ref : v));

describe.each(matrix(import.meta.url))('a task reference received, %s context', (context) => {
  const pool = (): Pool => newPool({ processes: 1, context });

  describe('by a worker that never imported its module', () => {
    it.each([
      ['Queue', () => new Queue<unknown>()],
      ['JoinableQueue', () => new JoinableQueue<unknown>()],
      ['SimpleQueue', () => new SimpleQueue<unknown>()],
    ])('through a %s, is callable at once', { timeout: 60_000 }, async (_name, make) => {
      const q = make();
      await q.put(await makeRef(freshKey()));
      expect(await pool().apply(tasks.getAndCall, [q, 5])).toBe(15);
    });

    it('through a Queue in a Process target, is callable at once', { timeout: 60_000 }, async () => {
      const q = new Queue<unknown>();
      const out = new Queue<unknown>();
      await q.put(await makeRef(freshKey()));
      const p = new Process({ target: tasks.getCallPut, args: [q, out, 7], context });
      p.start();
      expect(await out.get({ timeout: TIMEOUT })).toBe(21);
      await p.join(TIMEOUT);
      expect(p.exitCode).toBe(0);
    });

    it('through a Pipe, is callable at once', { timeout: 60_000 }, async () => {
      const [a, b] = Pipe();
      a.send(await makeRef(freshKey()));
      expect(await pool().apply(tasks.recvAndCall, [b, 5])).toBe(15);
    });

    it('keeps FIFO order among many items, gets issued at once', { timeout: 60_000 }, async () => {
      const p = pool();
      const q = new Queue<unknown>();
      const [a, b] = Pipe();
      const ref = await makeRef(freshKey());
      for (const item of items()) {
        await q.put(item === 'REF' ? ref : item);
        a.send(item === 'REF' ? ref : item);
      }
      expect(await p.apply(tasks.drainQueue, [q, N])).toEqual(expected('ref:6'));
      expect(await p.apply(tasks.drainPipe, [b, N])).toEqual(expected('ref:6'));
    });

    it('whose module throws on import rejects that get only, in order', { timeout: 60_000 }, async () => {
      const p = pool();
      const q = new Queue<unknown>();
      const bad = await makeRef(freshKey(), 'worker');
      for (const item of items()) await q.put(item === 'REF' ? bad : item);
      expect(await p.apply(tasks.drainQueue, [q, N])).toEqual(expected('ProcessError'));
      const err = await p.apply(tasks.getAndCall, [await withRef(bad), 1]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProcessError);
      expect((err as Error).message).toMatch(/Cannot import the task module .*far\.mjs.*not importable here/);
      // The worker still runs calls, and loads a module that can be imported.
      expect(await p.apply(tasks.getAndCall, [await withRef(await makeRef(freshKey())), 2])).toBe(6);
    });
  });

  // The program's main thread imports no module for a received reference: that would run the
  // module's `if (isMain())` block there (a file that is both task module and client, as the
  // worker command of @multiproc/bullmq receives). The reference arrives in order; calling it says
  // to import its module first.
  describe("by the program's main thread, which never imported its module", () => {
    it('arrives through a Queue, a Pipe and as a result, in order, its module not imported', {
      timeout: 60_000,
    }, async () => {
      const p = pool();
      const q = new Queue<unknown>();
      // Its import would throw here: an import would reject the get.
      await p.apply(tasks.putItems, [q, freshKey(), 'main', [1, 'REF', 2]]);
      expect(await q.get({ timeout: TIMEOUT })).toBe(1);
      const f = (await q.get({ timeout: TIMEOUT })) as (x: number) => number;
      expect(() => f(2)).toThrow(/not loaded in this thread: import its module first/);
      expect(await q.get({ timeout: TIMEOUT })).toBe(2);
      const [a, b] = Pipe();
      await p.apply(tasks.sendItems, [b, freshKey(), 'main', ['REF']]);
      const g = (await a.recv()) as (x: number) => number;
      expect(() => g(3)).toThrow(/not loaded in this thread/);
      const h = (await p.apply(tasks.refOf, [freshKey(), 'main'])) as (x: number) => number;
      expect(() => h(1)).toThrow(/not loaded in this thread/);
    });
  });
});

/** A queue holding only `ref`. */
async function withRef(ref: unknown): Promise<Queue<unknown>> {
  const q = new Queue<unknown>();
  await q.put(ref);
  return q;
}
