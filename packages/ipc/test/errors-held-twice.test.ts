// An error that refers back to itself (`e.cause = e`, two errors each other's cause, a ring),
// held twice in one message, arrives as one error through a Pipe and from a manager, as structured
// clone keeps an object held twice. It used to be written again where it was met a second time, so
// `err.a !== err.b` on the receiving side; a manager's error also copied every error inside a plain
// object or array in its fields (`e.peer = { back: e }`: `err.peer.back !== err`).
import { BaseManager, Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { HELD_TWICE, identityFaults } from '../../../test-support/error-identity.mjs';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks, TwiceThrower } = await import(
  new URL('./fixtures/held-twice-tasks.mjs', import.meta.url).href
);
const shapes = HELD_TWICE as Record<string, () => Error>;
const names = Object.keys(shapes);
/** Each shape's faults, by name, as received in `back` (in the order of `names`). */
const faultsOf = (back: unknown[]) =>
  Object.fromEntries(names.map((n, i) => [n, identityFaults(shapes[n]!(), back[i])]));
const none = Object.fromEntries(names.map((n) => [n, []]));

const managers: BaseManager[] = [];
afterEach(async () => {
  killProcesses();
  for (const m of managers.splice(0)) await m.shutdown();
});

describe('an error that refers back to itself, held twice', () => {
  it('through a Pipe in this thread', { timeout: 30_000 }, async () => {
    const [a, b] = Pipe();
    a.send(names.map((n) => shapes[n]!()));
    expect(faultsOf((await b.recv()) as unknown[])).toEqual(none);
    a.close();
    b.close();
  });

  it.each(matrix(import.meta.url))('sent on a Pipe by a %s worker', { timeout: 60_000 }, async (context) => {
    const [mine, theirs] = Pipe();
    const p = startProcess(context, tasks.report, [theirs]);
    expect(faultsOf((await mine.recv()) as unknown[])).toEqual(none);
    await p.join();
    mine.close();
  });

  it('thrown by a served object, and returned by it', { timeout: 30_000 }, async () => {
    const m = new BaseManager();
    m.register('TwiceThrower', TwiceThrower);
    managers.push(m);
    await m.start();
    const t = (await m.create('TwiceThrower')) as any;
    const thrown = await Promise.all(names.map((n) => t.throwShape(n).catch((e: unknown) => e)));
    const returned = await Promise.all(names.map(async (n) => (await t.returnShape(n)).err));
    expect(faultsOf(thrown)).toEqual(none);
    expect(faultsOf(returned)).toEqual(none);
  });
});
