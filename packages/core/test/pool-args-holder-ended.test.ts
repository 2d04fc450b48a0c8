// A pool worker that ended while it ran a call tells the copies among that call's arguments at
// once, before the call settles (`Entry.holderEnded`, `startedJobsEnded`): a pipe whose other end
// only that worker held fails sends as the call rejects, not once the worker's port closes (which
// came after the rejection in 2 thread runs in 10). The order is checked through the hook itself,
// so the test does not depend on when the port's close comes; pool-pipe-arg-ended.test.ts (full
// tier) loops the whole scenario.
import { WorkerCrashedError } from '@multiproc/core';
import { BrokenPipeError, Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import type { Held } from '../src/pool/entry.js';
import { startedJobsEnded } from '../src/pool/undelivered.js';
import { tasks as t } from './fixtures/pipe-arg-ended-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const END_KEY = Symbol.for('multiproc.ipc.endEncoded');
const globals = globalThis as Record<symbol, unknown>;
// ipc installs the hook on its first encode, so it is saved when a test wraps it, not when this file loads
// (saving `undefined` here and restoring it would switch the hook off for every later test of this worker).
let restore: (() => void) | undefined;

afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('the arguments of a call whose worker ended', () => {
  it('are ended before the call rejects, and a send then throws BrokenPipeError (thread)', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context: 'thread' });
    const [a, b] = Pipe<number | string>();
    const order: string[] = [];
    const end = globals[END_KEY] as (value: unknown) => void;
    restore = () => {
      globals[END_KEY] = end;
    };
    globals[END_KEY] = (value: unknown) => {
      order.push('ended');
      end(value);
    };
    const call = pool.apply(t.sendPidThenExit, [b]);
    b.close();
    expect(typeof (await a.recv())).toBe('number');
    await expect(call).rejects.toBeInstanceOf(WorkerCrashedError);
    order.push('rejected');
    expect(order).toEqual(['ended', 'rejected']);
    expect(() => a.send('x')).toThrow(BrokenPipeError);
    a.close();
  });

  it('are left alone for the jobs of its batch it had not started (they may run elsewhere)', () => {
    const ended: number[] = [];
    const entry = (i: number) => ({ holderEnded: () => ended.push(i) });
    const flight = { entries: [entry(0), undefined, entry(2), entry(3)] } as unknown as Held;
    startedJobsEnded(flight, 3);
    expect(ended).toEqual([0, 2]);
  });
});
