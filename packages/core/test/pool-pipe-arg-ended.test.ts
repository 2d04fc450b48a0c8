// A pool worker that ends while it holds a pipe end that came in its call's arguments reads nothing
// more: once the call has rejected (WorkerCrashedError), a send on the other end throws
// BrokenPipeError, as Python's does. Before, in the thread context, the pipe learnt of the end only
// when the worker's port closed, which can come after the call rejected: 2 sends in 10 were dropped
// silently. The protocol's side is tested frame by frame in ipc (pipe-holder-ended.test.ts).

import { WorkerCrashedError } from '@multiproc/core';
import { BrokenPipeError, Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/pipe-arg-ended-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
// The thread context raced (the process context's socket closed first); both are looped.
const CASES = [
  ['thread', 20],
  ['process', 5],
] as const;

describe.each(CASES)(
  'a pool worker that ended holding a pipe end from its arguments (%s)',
  (context, ROUNDS) => {
    it(`a send after the call rejected throws BrokenPipeError (${ROUNDS} rounds)`, {
      timeout: 120_000,
    }, async () => {
      const pool = makePool({ processes: 1, context });
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const [a, b] = Pipe<number | string>();
        const call = pool.apply(t.sendPidThenExit, [b]);
        b.close();
        expect(typeof (await a.recv())).toBe('number');
        await expect(call).rejects.toBeInstanceOf(WorkerCrashedError);
        try {
          a.send('x');
          outcomes.push('sent');
        } catch (error) {
          outcomes.push(error instanceof BrokenPipeError ? 'BrokenPipeError' : String(error));
        }
        a.close();
      }
      expect(outcomes).toEqual(Array(ROUNDS).fill('BrokenPipeError'));
    });
  },
);
