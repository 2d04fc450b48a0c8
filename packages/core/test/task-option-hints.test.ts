// Python's `Process(target=f)` and `Pool(initializer=init)` take a plain function. Ported as
// `new Process({ target: f })` (or `initializer: init`) the constructor refused it with
// "expected a task reference ...; got a function (f)" and no way forward, where `pool.map(f, xs)`
// shows the defineTasks() call and the right shape. The options now say the same: a function, a
// task's name and defineTasks()' whole object each get the call to write, and that call works.
import { Pool, Process, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/arity-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

function refusal(make: () => unknown): ValidationError {
  try {
    make();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the constructor accepted it');
}

function nap(ms: number) {
  return ms;
}
function init() {}

describe('a target or initializer that is not a task reference shows the call to write', () => {
  it.each([
    [
      'target: a function',
      () => new Process({ target: nap as never }),
      /defineTasks\(import\.meta\.url, \{ nap \}\).*new Process\(\{ target: tasks\.nap, args/,
    ],
    [
      'target: an arrow',
      () => new Process({ target: (() => 1) as never }),
      /defineTasks\(import\.meta\.url, \{ target \}\).*target: tasks\.target/,
    ],
    [
      "target: a task's name",
      () => new Process({ target: 'nap' as never }),
      /by reference, not by name.*target: tasks\.nap/,
    ],
    [
      'target: the defineTasks() object',
      () => new Process({ target: tasks as never }),
      /object defineTasks\(\) returned.*target: tasks\.nap/,
    ],
    [
      'initializer: a function',
      () => new Pool({ initializer: init as never }),
      /defineTasks\(import\.meta\.url, \{ init \}\).*new Pool\(\{ initializer: tasks\.init, initargs/,
    ],
    [
      "initializer: a task's name",
      () => new Pool({ initializer: 'init' as never }),
      /by reference, not by name.*initializer: tasks\.init/,
    ],
  ])('%s', (_label, make, says) => {
    const error = refusal(make);
    expect(error.code).toBe('MP_VALIDATION');
    expect(error.message).toMatch(/Invalid option '(target|initializer)'/);
    expect(error.message).toMatch(says);
  });

  it.each(['thread', 'process'] as const)(
    'the call it shows runs (%s)',
    async (context) => {
      const p = new Process({ target: tasks.nap, args: [1], context });
      p.start();
      await p.join(10_000);
      expect(p.exitCode).toBe(0);
      const pool = new Pool({ processes: 1, context, initializer: tasks.nap, initargs: [1] });
      pools.push(pool);
      expect(await pool.apply(tasks.nap, [1])).toBeUndefined();
    },
    20_000,
  );
});
