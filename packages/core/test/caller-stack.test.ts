// An error a pool call rejects with tells where the program awaited the call, as Python's
// traceback shows the local frames above the worker's RemoteTraceback: the task's own stack
// first, then the awaiting code's frames (caller-stack.ts). Before, the task's error carried only
// the worker's frames, and a TimeoutError or WorkerCrashedError only the pool's own.
import { Pool, Process, TimeoutError, WorkerCrashedError, WorkerStartError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { thrown } from '../../../test-support/thrown.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/caller-stack-tasks.mjs';

const POOL = 'Where the pool call was awaited:';

/** `error`'s stack: the fixture's frame before the header, `caller` after it, one header only. */
function expectBoth(
  error: unknown,
  caller: string,
  thrownIn = 'caller-stack-tasks.mjs',
  HEADER = POOL,
): void {
  expect(error).toBeInstanceOf(Error);
  const stack = String((error as Error).stack);
  const header = stack.indexOf(HEADER);
  expect(header, stack).toBeGreaterThan(0);
  expect(stack.indexOf(HEADER, header + 1), stack).toBe(-1);
  expect(stack.slice(0, header)).toContain(thrownIn);
  expect(stack.slice(header), stack).toMatch(new RegExp(`at (async )?${caller} `));
}

describe.each(matrix(import.meta.url))('the caller of a failed %s pool call', (context) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 1, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it('apply, map and starmap: the task frames, then the awaiting function', async () => {
    const callsApply = async () => await pool.apply(tasks.fail, [1]);
    expectBoth(await thrown<unknown>(callsApply), 'callsApply');
    const callsMap = async () => await pool.map(tasks.fail, [1, 2], { chunksize: 1 });
    expectBoth(await thrown<unknown>(callsMap), 'callsMap');
    const callsStarmap = async () => await pool.starmap(tasks.fail, [[1]]);
    expectBoth(await thrown<unknown>(callsStarmap), 'callsStarmap');
  });

  it('an AsyncResult awaited, through get() and get(ms), once each', async () => {
    const result = pool.applyAsync(tasks.fail, [2]);
    const awaitsResult = async () => await result;
    expectBoth(await thrown<unknown>(awaitsResult), 'awaitsResult');
    const callsGet = async () => await result.get();
    expectBoth(await thrown<unknown>(callsGet), 'callsGet');
    const callsTimedGet = async () => await pool.applyAsync(tasks.fail, [3]).get(60_000);
    expectBoth(await thrown<unknown>(callsTimedGet), 'callsTimedGet');
  });

  it('an imap loop', async () => {
    const loops = async () => {
      for await (const _ of pool.imap(tasks.fail, [1], { chunksize: 1 })) void _;
    };
    expectBoth(await thrown<unknown>(loops), 'loops');
  });

  it("the pool's own errors: a timeout, a crashed worker", async () => {
    const timesOut = async () => await pool.apply(tasks.sleep, [10_000], { timeout: 1 });
    const timeout = await thrown<unknown>(timesOut);
    expect(timeout).toBeInstanceOf(TimeoutError);
    expectBoth(timeout, 'timesOut', 'TimeoutError');
    const crashes = async () => await pool.apply(tasks.exit, []);
    const crash = await thrown<unknown>(crashes);
    expect(crash).toBeInstanceOf(WorkerCrashedError);
    expectBoth(crash, 'crashes', 'WorkerCrashedError');
  });

  it('a call refused at once (a closed pool) names its caller once: the error was made in the call, no header', async () => {
    const closed = new Pool({ processes: 1, context });
    closed.close();
    const refusedAtOnce = async () => await closed.apply(tasks.fail, [1]);
    const stack = String((await thrown<Error>(refusedAtOnce)).stack);
    expect(stack.split('refusedAtOnce (').length - 1, stack).toBe(1);
    expect(stack).not.toContain(POOL);
    await closed.join();
  });

  it('a thrown value that is not an Error comes back as that very value', async () => {
    expect(await thrown<unknown>(() => pool.apply(tasks.throwValue))).toBe('retry');
  });
});

describe('the caller of a Process method that rejects', () => {
  it('join() rejecting with WorkerStartError: its own stack, then the awaiting function', {
    timeout: 60_000,
  }, async () => {
    // Node refuses the option before the child runs any JavaScript (exit code 9): join() rejects
    // from the child's exit event, a turn with none of the caller's frames.
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--no-such-option-here';
    const p = new Process({ target: tasks.sleep, args: [1], context: 'process' });
    try {
      p.start();
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
    const joinsIt = async () => await p.join(30_000);
    const error = await thrown<unknown>(joinsIt);
    expect(error).toBeInstanceOf(WorkerStartError);
    expectBoth(error, 'joinsIt', 'WorkerStartError', 'Where the Process call was awaited:');
    expect(String((error as Error).stack)).not.toContain(POOL);
  });
});
