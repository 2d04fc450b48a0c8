// Each submitting method takes its own options and nothing else, starmap items must be argument
// lists, and minProcesses fits in processes: each mistake is a ValidationError naming it, raised
// before any task runs (a black-box tester found them ignored or failing inside the worker).
import { ValidationError } from '@multiproc/core';
import { expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

async function rejection(call: () => Promise<unknown>): Promise<Error> {
  return call().then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

it('names an option the method does not take, and says which method takes it', async () => {
  const pool = makePool({ processes: 1 });
  const callback = () => {};
  const applied = await rejection(() => pool.apply(tasks.square, [3], { callback } as never));
  expect(applied).toBeInstanceOf(ValidationError);
  expect(applied.message).toContain("'callback'");
  expect(applied.message).toContain('applyAsync()');
  const mapped = await rejection(() => pool.map(tasks.square, [3], { errorCallback: callback } as never));
  expect(mapped).toBeInstanceOf(ValidationError);
  expect(mapped.message).toContain("'errorCallback'");
  expect(() => pool.applyAsync(tasks.square, [3], { chunksize: 2 } as never)).toThrow(/'chunksize'/);
  expect(() => pool.imap(tasks.square, [3], { callback } as never)).toThrow(ValidationError);
  expect(() => pool.mapAsync(tasks.square, [3], { inflight: 2 } as never)).toThrow(/'inflight'/);
  // The options each method does take still work.
  const seen: number[][] = [];
  expect(await pool.mapAsync(tasks.square, [2, 3], { chunksize: 1, callback: (r) => seen.push(r) })).toEqual([
    4, 9,
  ]);
  expect(seen).toEqual([[4, 9]]);
  expect(await pool.apply(tasks.square, [3], { timeout: 10_000 })).toBe(9);
}, 20_000);

it('rejects a starmap item that is not an argument list, naming its index', async () => {
  const pool = makePool({ processes: 1 });
  const fromArray = await rejection(() => pool.starmap(tasks.add, [[1, 2], 5] as never));
  expect(fromArray).toBeInstanceOf(ValidationError);
  expect(fromArray.message).toContain('item 1');
  const numbers = await rejection(() => pool.starmap(tasks.add, [3, 4] as never, { chunksize: 2 }));
  expect(numbers.message).toContain('item 0');
  function* input() {
    yield [1, 2];
    yield [3, 4];
    yield null;
  }
  const lazily = await rejection(() => pool.starmap(tasks.add, input() as never, { chunksize: 1 }));
  expect(lazily).toBeInstanceOf(ValidationError);
  expect(lazily.message).toContain('item 2');
  expect(await pool.starmap(tasks.add, [[1, 2], new Set([3, 4])] as never)).toEqual([3, 7]);
}, 20_000);

it('refuses minProcesses above an explicit processes', () => {
  expect(() => makePool({ processes: 1, minProcesses: 3 })).toThrow(ValidationError);
  expect(() => makePool({ processes: 1, minProcesses: 3 })).toThrow(/minProcesses/);
  expect(() => makePool({ processes: 2, minProcesses: 2 })).not.toThrow();
});
