// A pool call in the wrong shape says what was wrong and shows the right call: the items before
// the task (`pool.map(items, task)`: Python's order is the task first too), a plain function or a
// task's name instead of a task reference, defineTasks()' whole object, options where the argument
// list or the items go, a task or a callback where the options go. Before, most of these read
// "Invalid option 'task' for Pool.map: ..." (the task is no option) or named no right shape.
// Methods that return a Promise reject; applyAsync/mapAsync/starmapAsync/imap/imapUnordered throw at
// once (the contract). Nothing is submitted, and the valid shapes still work.
import { Pool, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/arity-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

type Call = (pool: any) => unknown;
const nap = tasks.nap;
const plain = (x: number) => x;
const items = [1, 2];

/** Each wrong call, with what its message must say (the right shape among it). */
const WRONG: [string, Call, RegExp][] = [
  [
    'map(items, task)',
    (p) => p.map(items, nap),
    /task \(the first argument\).*got an array.*The task comes first, then the items.*pool\.map\(tasks\.nap, items/,
  ],
  [
    'map(plain function, items)',
    (p) => p.map(plain, items),
    /got a function \(plain\)\. A worker cannot receive a function.*defineTasks\(import\.meta\.url, \{ plain \}\).*pool\.map\(tasks\.plain, items/,
  ],
  [
    'map(defineTasks result, items)',
    (p) => p.map(tasks, items),
    /object of task references.*pool\.map\(tasks\.nap, items/,
  ],
  [
    "map('nap', items)",
    (p) => p.map('nap', items),
    /passed by reference, not by name.*pool\.map\(tasks\.nap, items/,
  ],
  ['map(items)', (p) => p.map(items), /task \(the first argument\).*Write pool\.map\(task, items/],
  ['map()', (p) => p.map(), /got undefined\. Write pool\.map\(task, items/],
  [
    'map(task)',
    (p) => p.map(nap),
    /the input must be an iterable.*got undefined\. Write pool\.map\(task, items/,
  ],
  [
    'map(task, { chunksize })',
    (p) => p.map(nap, { chunksize: 2 }),
    /Options come third, after the items: write pool\.map\(task, items, \{ chunksize: 2 \}\)/,
  ],
  [
    'map(task, items, task)',
    (p) => p.map(nap, items, nap),
    /a task reference \(tasks\.nap\): the task comes first, the options third/,
  ],
  [
    'map(task, items, callback)',
    (p) => p.map(nap, items, plain),
    /Pool\.map\(\) takes no callback: await its result, or use mapAsync/,
  ],
  [
    'starmap(items, task)',
    (p) => p.starmap([[1]], nap),
    /The task comes first.*pool\.starmap\(tasks\.nap, \[\[a, b\], \[c, d\]\]/,
  ],
  ['starmap(plain, items)', (p) => p.starmap(plain, [[1]]), /A worker cannot receive a function/],
  [
    'apply(args, task)',
    (p) => p.apply([1], nap),
    /The task comes first, then its argument list.*pool\.apply\(tasks\.nap, \[arg1, arg2\]/,
  ],
  [
    'apply(plain, args)',
    (p) => p.apply(plain, [1]),
    /A worker cannot receive a function.*pool\.apply\(tasks\.plain/,
  ],
  [
    'apply(task, 5)',
    (p) => p.apply(nap, 5),
    /args must be an array.*got the number 5\. Write pool\.apply\(task, \[arg\]\)/,
  ],
  [
    'apply(task, { timeout })',
    (p) => p.apply(nap, { timeout: 100 }),
    /Options come third, after the argument list \(empty for none\): write pool\.apply\(task, \[\], \{ timeout: 100 \}\)/,
  ],
  [
    'apply(task, args, task)',
    (p) => p.apply(nap, [1], nap),
    /task reference \(tasks\.nap\): the task comes first/,
  ],
  [
    'applyAsync(args, task)',
    (p) => p.applyAsync([1], nap),
    /The task comes first.*pool\.applyAsync\(tasks\.nap, \[arg1, arg2\], \{ callback \}\)/,
  ],
  ['applyAsync(plain, args)', (p) => p.applyAsync(plain, [1]), /A worker cannot receive a function/],
  [
    'applyAsync(task, args, callback)',
    (p) => p.applyAsync(nap, [1], plain),
    /pass it as an option: pool\.applyAsync\(task, \[arg\], \{ callback: plain \}\)/,
  ],
  [
    'mapAsync(items, task)',
    (p) => p.mapAsync(items, nap),
    /The task comes first.*pool\.mapAsync\(tasks\.nap, items/,
  ],
  [
    'mapAsync(task, items, callback)',
    (p) => p.mapAsync(nap, items, plain),
    /pool\.mapAsync\(task, items, \{ callback: plain \}\)/,
  ],
  ['starmapAsync(items, task)', (p) => p.starmapAsync([[1]], nap), /The task comes first/],
  ['imap(items, task)', (p) => p.imap(items, nap), /The task comes first.*pool\.imap\(tasks\.nap, items/],
  ['imap(plain, items)', (p) => p.imap(plain, items), /A worker cannot receive a function/],
  ['imap(task)', (p) => p.imap(nap), /the input must be an iterable.*Write pool\.imap\(task, items/],
  [
    'map(task, a plain object): Python iterates a dict',
    (p) => p.map(nap, { a: 1, b: 2 }),
    /not iterable \(Python iterates a dict's keys\).*pool\.map\(task, Object\.keys\(obj\), \{ chunksize \}\)/,
  ],
  [
    'imapUnordered(task, a plain object)',
    (p) => p.imapUnordered(nap, {}),
    /not iterable.*Object\.entries\(obj\).*pool\.imapUnordered\(task, Object\.keys\(obj\)/,
  ],
  [
    'starmap(task, a plain object)',
    (p) => p.starmap(nap, { a: [1] }),
    /not iterable.*Object\.entries\(obj\)/,
  ],
  [
    'imapUnordered(items, task)',
    (p) => p.imapUnordered(items, nap),
    /The task comes first.*pool\.imapUnordered\(tasks\.nap, items/,
  ],
  [
    'imapUnordered(task, items, task)',
    (p) => p.imapUnordered(nap, items, nap),
    /the task comes first, the options third/,
  ],
];

const THROWS_AT_ONCE = /^(applyAsync|mapAsync|starmapAsync|imap|imapUnordered)\(/;

describe.each(['thread', 'process'] as const)('a wrong call shape in the %s context', (context) => {
  it('is a ValidationError at the call, naming what was wrong and the right shape', {
    timeout: 30_000,
  }, async () => {
    const pool = new Pool({ processes: 1, context });
    pools.push(pool);
    for (const [name, call, message] of WRONG) {
      let error: unknown;
      if (THROWS_AT_ONCE.test(name)) {
        try {
          call(pool);
        } catch (thrown) {
          error = thrown;
        }
      } else {
        let result: unknown;
        expect(() => {
          result = call(pool);
        }, `${name} returns a Promise`).not.toThrow();
        error = await (result as Promise<unknown>).then(
          () => undefined,
          (rejected: unknown) => rejected,
        );
      }
      expect(error, name).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code, name).toBe('MP_VALIDATION');
      expect((error as Error).message, name).toMatch(message);
      // Never the old wording: the task is an argument, not an option.
      expect((error as Error).message, name).not.toMatch(/Invalid option 'task'/);
    }
    const { completed, failed, queued, busy } = pool.stats();
    expect({ completed, failed, queued, busy }).toEqual({ completed: 0, failed: 0, queued: 0, busy: 0 });
    // The valid shapes, as before.
    expect(await pool.map(nap, [1, 1], { chunksize: 1 })).toEqual([undefined, undefined]);
    expect(await pool.apply(nap, [1], { timeout: 10_000 })).toBeUndefined();
    expect(await pool.applyAsync(nap, [1], { callback: () => {} })).toBeUndefined();
    expect(await pool.starmap(nap, [[1]])).toEqual([undefined]);
    const seen: unknown[] = [];
    for await (const v of pool.imapUnordered(nap, [1])) seen.push(v);
    expect(seen).toEqual([undefined]);
  });
});
