// Calls that must fail at once, as the language or the signal says, whatever their input: a signal
// aborted before the call (or in its turn), and an input iterator whose next() breaks the
// iterator protocol.

import type { Pool } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/edge-tasks.mjs';
import { poolMaker, runProgram } from './helpers.ts';

const makePool = poolMaker();

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** Every submitting call over `input()`, each settling to its error (or its result). */
function everyCall(pool: Pool, input: () => Iterable<unknown> | AsyncIterable<unknown>) {
  const tuples = (items: Iterable<unknown> | AsyncIterable<unknown>) => {
    if (Symbol.asyncIterator in items) {
      return (async function* () {
        for await (const v of items) yield [v];
      })();
    }
    return (function* () {
      for (const v of items as Iterable<unknown>) yield [v];
    })();
  };
  return {
    map: () => pool.map(t.echo, input()),
    mapAsync: () => pool.mapAsync(t.echo, input()).get(20_000),
    starmap: () => pool.starmap(t.echo, tuples(input())),
    starmapAsync: () => pool.starmapAsync(t.echo, tuples(input())).get(20_000),
    imap: () => drain(pool.imap(t.echo, input())),
    imapUnordered: () => drain(pool.imapUnordered(t.echo, input())),
  };
}

/** An iterator whose third `next()` returns `bad` instead of an iterator result. */
function breaksOnThird(
  bad: unknown,
  kind: 'sync' | 'async' | 'asyncPlain',
): Iterable<number> | AsyncIterable<number> {
  let n = 0;
  const next = () => (++n < 3 ? { value: n, done: false } : bad) as IteratorResult<number>;
  if (kind === 'sync') return { [Symbol.iterator]: () => ({ next }) };
  if (kind === 'async') return { [Symbol.asyncIterator]: () => ({ next: async () => next() }) };
  // An async iterator whose next() returns a plain value: `for await` awaits it all the same.
  return { [Symbol.asyncIterator]: () => ({ next }) } as unknown as AsyncIterable<number>;
}

describe.each(matrix(import.meta.url))(
  'a call whose input breaks the iterator protocol, %s context',
  (context) => {
    it.each(['sync', 'async', 'asyncPlain'] as const)(
      'rejects with the TypeError for-of throws when a %s next() returns a non-object',
      { timeout: 30_000 },
      async (kind) => {
        const pool = makePool({ processes: 2, context });
        for (const [name, call] of Object.entries(everyCall(pool, () => breaksOnThird(5, kind)))) {
          const error = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, name).toBeInstanceOf(TypeError);
          expect((error as TypeError).message, name).toBe('Iterator result 5 is not an object');
        }
        for (const bad of [undefined, 'abc', null]) {
          const error = await pool.map(t.echo, breaksOnThird(bad, kind)).catch((e: unknown) => e);
          expect((error as TypeError).message).toBe(`Iterator result ${String(bad)} is not an object`);
        }
        expect(await pool.map(t.echo, [1, 2])).toEqual([1, 2]);
      },
    );
  },
);

describe.each(matrix(import.meta.url))('a call with an aborted signal, %s context', (context) => {
  it('rejects every call kind with AbortError at once, for every input, and runs no task', {
    timeout: 60_000,
  }, async () => {
    // A call that spun the event loop would freeze this runner: the program is killed instead.
    const { stdout, stderr, code } = await runProgram('aborted-calls.mjs', [context], {}, 40_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { outcomes, ran, after } = JSON.parse(stdout) as {
      outcomes: Record<string, string>;
      ran: string[];
      after: number;
    };
    // 2 apply kinds + 6 map kinds x 5 inputs, each with a signal aborted before and in the same turn.
    expect(Object.keys(outcomes)).toHaveLength(2 * (2 + 6 * 5));
    for (const [call, outcome] of Object.entries(outcomes)) expect(outcome, call).toBe('AbortError:stop');
    expect(ran).toEqual([]);
    expect(after).toBe(1);
  });
});
