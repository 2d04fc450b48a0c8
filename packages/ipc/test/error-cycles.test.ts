// An error that refers to itself (its own cause, two errors each other's cause, itself in a field
// or in its own AggregateError's errors) travels through a Pipe, a Queue and a manager as it is:
// it comes back with the same cycles. A Pipe's send() used to throw a SerializationError naming
// `value.cause.cause.cause...`, and a manager to answer with a chain of copies.
import { BaseManager, Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { CYCLES, cycleFaults, makeCycle } from '../../../test-support/error-cycles.mjs';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks, CycleThrower } = await import(
  new URL('./fixtures/cycle-value-tasks.mjs', import.meta.url).href
);
const kinds = CYCLES as string[];
const allFaults = (errs: unknown[]) => Object.fromEntries(kinds.map((k, i) => [k, cycleFaults(k, errs[i])]));
const none = Object.fromEntries(kinds.map((k) => [k, []]));

const managers: BaseManager[] = [];
afterEach(async () => {
  killProcesses();
  for (const m of managers.splice(0)) await m.shutdown();
});

describe('errors that refer to themselves', () => {
  it('through a Pipe and a Queue in this thread', { timeout: 30_000 }, async () => {
    const [a, b] = Pipe();
    const q = new Queue<unknown[]>();
    a.send(kinds.map(makeCycle));
    await q.put(kinds.map(makeCycle));
    expect(allFaults((await b.recv()) as unknown[])).toEqual(none);
    expect(allFaults(await q.get())).toEqual(none);
    a.close();
    b.close();
    q.close();
  });

  it.each(matrix(import.meta.url))('sent and put by a %s worker', { timeout: 60_000 }, async (context) => {
    const [mine, theirs] = Pipe();
    const q = new Queue<unknown[]>();
    const p = startProcess(context, tasks.report, [q, theirs]);
    expect(allFaults((await mine.recv()) as unknown[])).toEqual(none);
    expect(allFaults(await q.get({ timeout: 30_000 }))).toEqual(none);
    await p.join();
    expect(p.exitCode).toBe(0);
    mine.close();
    q.close();
  });

  it('thrown by a served object, and returned by it', { timeout: 30_000 }, async () => {
    const m = new BaseManager();
    m.register('CycleThrower', CycleThrower);
    managers.push(m);
    await m.start();
    const t = (await m.create('CycleThrower')) as any;
    const thrown = await Promise.all(kinds.map((k) => t.throwCycle(k).catch((e: unknown) => e)));
    const returned = await Promise.all(kinds.map(async (k) => (await t.returnCycle(k)).err));
    expect(allFaults(thrown)).toEqual(none);
    expect(allFaults(returned)).toEqual(none);
  });
});
