// A map call takes a copy of each pipe end among its items when it reads them (item-keeps.ts), and
// gives it back once the item's chunk settles. A chunk its call gave up (`Dispatcher.cancel`: an
// `imap` whose consumer left the loop, a `map` another chunk of which failed) is settled without
// a reply, so it never gave them back: the pipe's other end never saw EOF, even after the worker
// had finished the item, until the program ended (a queue's home was never forgotten either).
import { BrokenPipeError, type Connection, EOFError, Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { type PipeItem, tasks as t } from './fixtures/chunk-cancel-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

/** What `a.recv()` gives within `ms`: its value, the error's name, or 'nothing' (the end is still held). */
function recvWithin(a: Connection<number | string>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    a.recv().then(
      (value) => String(value),
      (error: unknown) => (error instanceof EOFError ? 'EOF' : String(error)),
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('nothing'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Two items, each with a pipe end only the call holds once the caller closed its own. */
function twoItems(first: Partial<PipeItem>): { ends: Connection<number | string>[]; items: PipeItem[] } {
  const ends: Connection<number | string>[] = [];
  const items: PipeItem[] = [];
  for (const [i, extra] of [first, {}].entries()) {
    const [a, b] = Pipe<number | string>();
    ends.push(a);
    items.push({ conn: b, tag: `p${i}`, ...extra });
  }
  return { ends, items };
}

describe.each(['thread', 'process'] as const)('a chunk its call gave up (%s)', (context) => {
  it('map, another item failed before it started: the pipe end sees EOF at once', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const { ends, items } = twoItems({ fail: true });
    const [a0, a1] = ends as [Connection<number | string>, Connection<number | string>];
    const call = pool.map(t.pidThenAnswer, items, { chunksize: 1 });
    for (const item of items) item.conn.close();
    expect(typeof (await a0.recv())).toBe('number');
    a0.send('go');
    await expect(call).rejects.toThrow(/item p0 failed/);
    // Its chunk never reached a worker: only the call's copy held the end.
    expect(await recvWithin(a1, 10_000)).toBe('EOF');
    expect(() => a1.send('late')).toThrow(BrokenPipeError);
    a0.close();
    a1.close();
  });

  it.each(['map, another item failed', 'imap, the consumer left'] as const)(
    '%s: the pipe end among its items sees EOF once the worker finished it',
    { timeout: 60_000 },
    async (how) => {
      const pool = makePool({ processes: 2, context });
      const { ends, items } = twoItems(how.startsWith('map') ? { fail: true } : {});
      const [a0, a1] = ends as [Connection<number | string>, Connection<number | string>];
      let left: Promise<unknown>;
      if (how.startsWith('map')) {
        left = pool.map(t.pidThenAnswer, items, { chunksize: 1 }).then(
          () => 'resolved',
          (error: unknown) => (error as Error).message,
        );
      } else {
        const it = pool.imap(t.pidThenAnswer, items, { chunksize: 1 })[Symbol.asyncIterator]();
        const first = it.next();
        left = first.then(async (step) => {
          await it.return();
          return step.value;
        });
      }
      for (const item of items) item.conn.close();
      // Both items run, each in its own worker.
      expect(typeof (await a0.recv())).toBe('number');
      expect(typeof (await a1.recv())).toBe('number');
      a0.send('go');
      expect(await left).toMatch(how.startsWith('map') ? /item p0 failed/ : /^p0$/);
      // The other item still runs after its call gave it up: it gets the message and answers.
      a1.send('go');
      expect(await recvWithin(a1, 10_000)).toBe('ack go');
      // Done, its worker closes its copy; nobody else holds the end (the call gave its copy back).
      expect(await recvWithin(a1, 10_000)).toBe('EOF');
      expect(() => a1.send('late')).toThrow(BrokenPipeError);
      a0.close();
      a1.close();
    },
  );
});
