// A map-style call lets the program's event loop turn while it reads its input: a timer that is
// due runs after a bounded amount of reading, not once the call is over. On a warm thread pool
// (chunks of thousands of items) each worker reply used to read the next chunk inside the reply's
// message event, and Node handles up to 1000 port messages in one go; imap's loop takes replies
// synchronously too: a timer due at once waited 5-20 s while millions of items were read, so a
// call's own `timeout` or `signal` fired that late (contract: "a timeout rejects with TimeoutError,
// an abort with an error named AbortError").
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks as t } from './fixtures/stall-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

/**
 * An endless input whose items cost about a microsecond each to make (a parser's, a cursor's),
 * sync or async, and the number of items it gave so far.
 */
function slowInput(isAsync: boolean): {
  input: Iterable<number> | AsyncIterable<number>;
  read: () => number;
} {
  let read = 0;
  const make = () => {
    read++;
    let x = 0;
    for (let i = 0; i < 100; i++) x += Math.sqrt(i * read);
    return x >= 0 ? read : 0;
  };
  function* syncItems() {
    for (;;) yield make();
  }
  async function* asyncItems() {
    for (;;) yield make();
  }
  return { input: isAsync ? asyncItems() : syncItems(), read: () => read };
}

/** When the timer is due, after the call started (ms). */
const DUE_MS = 100;
// How late it may run (ms): a turn's reading is a few ms; before, it ran 2-20 s late.
const MOST_LATE_MS = 1000;

describe.each(matrix(import.meta.url))('in the %s context', (context) => {
  it.each([
    ['map', false],
    ['map', true],
    ['imap', false],
    ['imapUnordered', true],
  ] as const)(
    '%s over an endless input (async: %s) lets a due timer run soon',
    {
      timeout: 60_000,
    },
    async (method, isAsync) => {
      const pool = makePool({ processes: 2, context });
      // Warm: the pool has learned that the task is fast, so its chunks are thousands of items.
      await pool.map(
        t.square,
        Array.from({ length: 100_000 }, (_, i) => i),
      );
      // Three rounds: how late a round's timer runs depends on how the replies' events bunch up
      // (before, one round in four could still be on time).
      const late: number[] = [];
      for (let round = 0; round < 3; round++) {
        const { input, read } = slowInput(isAsync);
        const ac = new AbortController();
        let lateMs = Number.POSITIVE_INFINITY;
        const dueAt = Date.now() + DUE_MS;
        setTimeout(() => {
          lateMs = Date.now() - dueAt;
          ac.abort(new Error('due'));
        }, DUE_MS);
        const error = await (async () => {
          try {
            if (method === 'map') await pool.map(t.square, input, { signal: ac.signal });
            else for await (const _ of pool[method](t.square, input, { signal: ac.signal }));
          } catch (err) {
            return err as Error;
          }
          return undefined;
        })();
        expect(error?.name).toBe('AbortError');
        expect(read()).toBeGreaterThan(0);
        late.push(lateMs);
      }
      expect(Math.max(...late), `late by ${late.join(', ')} ms`).toBeLessThan(MOST_LATE_MS);
    },
  );
});

// An input whose items are slow (milliseconds each: a generator that parses a large record, a
// lookup per item) held the loop for 256 of them at a time (the clock was read every 256 items),
// once the call had learned that the task is fast and made its chunks large: with 4 ms items a
// timer waited 1-5 s. Reading now reads the clock at items 1, 2, 4, ... of a chunk, then every
// 256: a turn reads at most about twice its budget of such items.
describe.each(matrix(import.meta.url))('in the %s context, items of milliseconds', (context) => {
  it.each([
    ['map', false],
    ['imap', true],
  ] as const)('%s (async: %s) keeps the timers running', { timeout: 60_000 }, async (method, isAsync) => {
    const pool = makePool({ processes: 2, context });
    await pool.apply(t.square, [1]);
    const slowItem = (i: number) => {
      const end = performance.now() + 4;
      while (performance.now() < end);
      return i;
    };
    function* syncItems() {
      for (let i = 0; ; i++) yield slowItem(i);
    }
    async function* asyncItems() {
      for (let i = 0; ; i++) yield slowItem(i);
    }
    // The longest the program's timers waited while the call read its input for 400 ms.
    let longest = 0;
    let last = performance.now();
    const ticks = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 5);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('due')), 400);
    const input = isAsync ? asyncItems() : syncItems();
    const error = await (async () => {
      try {
        if (method === 'map') await pool.map(t.square, input, { signal: ac.signal });
        else for await (const _ of pool.imap(t.square, input, { signal: ac.signal }));
      } catch (err) {
        return err as Error;
      } finally {
        clearInterval(ticks);
      }
      return undefined;
    })();
    expect(error?.name).toBe('AbortError');
    // Reading 256 items takes 1 s here: a turn that read them held the timers that long.
    expect(longest).toBeLessThan(700);
  });
});
