// A value whose objects are shared (one object in two places, a DAG) or cyclic arrives with the
// same sharing through every channel, as structured clone and Python's pickle give it: one object,
// not one copy per path. Also when every part of it is plain JSON, the case that takes the cheap
// JSON path: a DAG of 24 levels (2^24 paths) arrives at once, as its 25 objects.

import { JoinableQueue, Pipe, Queue, SimpleQueue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks, sharedMessage, sharingProblems } = await import(
  new URL('./fixtures/shared-ref-tasks.mjs', import.meta.url).href
);

const { manager } = managerTestKit();
afterEach(killProcesses);

const QUEUES = { Queue, SimpleQueue, JoinableQueue } as const;

describe('shared objects in one value keep their sharing', () => {
  it('structured clone itself (the yardstick)', () => {
    expect(sharingProblems(structuredClone(sharedMessage()))).toEqual([]);
  });

  it.each(Object.keys(QUEUES))('a %s in the same thread', { timeout: 10_000 }, async (kind) => {
    const q = new QUEUES[kind as keyof typeof QUEUES]();
    await q.put(sharedMessage());
    expect(sharingProblems(await q.get())).toEqual([]);
    q.close();
  });

  it('a Pipe in the same thread, both ways', { timeout: 10_000 }, async () => {
    const [a, b] = Pipe();
    a.send(sharedMessage());
    b.send(sharedMessage());
    expect(sharingProblems(await b.recv())).toEqual([]);
    expect(sharingProblems(await a.recv())).toEqual([]);
    a.close();
    b.close();
  });

  it('a cycle stays a cycle', { timeout: 10_000 }, async () => {
    const [a, b] = Pipe();
    const cycle: Record<string, unknown> = { name: 'c', items: [] };
    (cycle.items as unknown[]).push(cycle);
    a.send(cycle);
    const r = (await b.recv()) as typeof cycle;
    expect((r.items as unknown[])[0]).toBe(r);
    a.close();
    b.close();
  });

  it('a shared value with a part that cannot be sent is refused, naming that part', () => {
    const [a, b] = Pipe();
    const s = { s: 1 };
    expect(() => a.send({ pair: [s, s], later: { onDone: () => {} } })).toThrow(
      expect.objectContaining({ code: 'MP_SERIALIZATION', path: 'value.later.onDone' }),
    );
    a.close();
    b.close();
  });

  describe.each(matrix(import.meta.url))('to a %s and back', (context) => {
    it.each(Object.keys(QUEUES))('a %s', { timeout: 20_000 }, async (kind) => {
      const Q = QUEUES[kind as keyof typeof QUEUES];
      const [there, back] = [new Q(), new Q()];
      const p = startProcess(context, tasks.echoQueue, [there, back]);
      await there.put(sharedMessage());
      expect(sharingProblems(await back.get())).toEqual([]);
      await p.join();
      expect(p.exitCode).toBe(0);
      for (const q of [there, back]) q.close();
    });

    it('a Pipe', { timeout: 20_000 }, async () => {
      const [a, b] = Pipe();
      const p = startProcess(context, tasks.echoPipe, [b]);
      a.send(sharedMessage());
      expect(sharingProblems(await a.recv())).toEqual([]);
      await p.join();
      expect(p.exitCode).toBe(0);
      a.close();
      b.close();
    });

    it('manager dict, list, Queue and Namespace, set there and read here', { timeout: 30_000 }, async () => {
      const m = await manager();
      const [d, l, q, ns] = [m.dict(), m.list(), m.Queue(), m.Namespace()];
      const p = startProcess(context, tasks.sharedToManager, [d, l, q, ns]);
      await p.join();
      expect(p.exitCode).toBe(0);
      expect(sharingProblems(await d.get('k'))).toEqual([]);
      expect(sharingProblems(await l.get(0))).toEqual([]);
      expect(sharingProblems(await q.get())).toEqual([]);
      expect(sharingProblems(await ns.get('x'))).toEqual([]);
    });
  });

  it('manager proxies used from this thread, whose values the manager also holds', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const [d, l, q, ns] = [m.dict(), m.list(), m.Queue(), m.Namespace()];
    await d.set('k', sharedMessage());
    await l.append(sharedMessage());
    await q.put(sharedMessage());
    await ns.set('x', sharedMessage());
    // Reads more than once: a dict leased to this thread answers from its replica.
    for (let i = 0; i < 3; i++) expect(sharingProblems(await d.get('k'))).toEqual([]);
    expect(sharingProblems(await l.get(0))).toEqual([]);
    expect(sharingProblems(await q.get())).toEqual([]);
    expect(sharingProblems(await ns.get('x'))).toEqual([]);
  });
});
