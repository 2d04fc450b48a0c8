// A pool call takes the copies of the queues and pipe ends among its arguments when it is made,
// as `Process.start()` does, even when it then waits for a worker or for room in the queue: the
// caller may close its own copy right after the call (Python's parent closes only its handle).
import { Pipe, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/args-capture-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

describe.each(matrix(import.meta.url))('pool call arguments taken at the call (%s)', (context) => {
  it('apply then closing the pipe end passed keeps the task copy: it receives, then EOF', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    await pool.apply(t.sleep, [1]); // warm: the call is queued at once
    const [a, b] = Pipe();
    const result = pool.apply(t.recvAll, [b]);
    b.close();
    a.send(1);
    a.send(2);
    a.close();
    expect(await result).toEqual([[1, 2], 'EOFError']);
  });

  it('apply waiting behind a busy worker, then the pipe end closed, still gets its copy', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const busy = pool.apply(t.sleep, [300]);
    const [a, b] = Pipe();
    const result = pool.apply(t.recvAll, [b]);
    b.close();
    a.send('x');
    a.close();
    expect(await busy).toBe(300);
    expect(await result).toEqual([['x'], 'EOFError']);
  });

  it('apply waiting for room (maxQueue full), then the queue closed, still puts on it', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context, maxQueue: 1 });
    const first = pool.apply(t.sleep, [200]);
    const second = pool.apply(t.sleep, [1]);
    const q = new Queue<string>();
    const result = pool.apply(t.put, [q, 'kept']);
    void q.close();
    expect(await Promise.all([first, second, result])).toEqual([200, 1, 'kept']);
  });

  it('applyAsync then closing the pipe end passed keeps the task copy', { timeout: 60_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const [a, b] = Pipe();
    const result = pool.applyAsync(t.recvAll, [b]);
    b.close();
    a.send(3);
    a.close();
    expect(await result.get(30_000)).toEqual([[3], 'EOFError']);
  });
});

describe.each(matrix(import.meta.url))('map-style call items taken at the call (%s)', (context) => {
  it('map then closing the pipe ends passed keeps each item its copy, also in later chunks', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const pipes = Array.from({ length: 8 }, () => Pipe());
    // One item a chunk, more chunks than a map sends ahead (4 a worker): the later ones are
    // encoded only when a chunk comes back.
    const result = pool.map(
      t.recvAll,
      pipes.map(([, b]) => b),
      { chunksize: 1 },
    );
    for (const [, b] of pipes) b.close();
    pipes.forEach(([a], i) => {
      a.send(i);
      a.close();
    });
    expect(await result).toEqual(pipes.map((_, i) => [[i], 'EOFError']));
  });

  it('starmap and starmapAsync waiting behind a busy worker, then the queue closed, still put on it', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const go = new Queue<number>();
    const out = new Queue<string>();
    const first = pool.starmap(t.putWhenTold, [[out, 'a', go]]);
    const q = new Queue<string>();
    const values = ['s', 't', 'u', 'v', 'w', 'x', 'y'];
    // More chunks than a map sends ahead: the later ones are encoded after the queue was closed.
    const all = pool.starmap(
      t.put,
      values.map((v) => [q, v] as [Queue<string>, string]),
      { chunksize: 1 },
    );
    const later = pool.starmapAsync(
      t.put,
      values.map((v) => [q, v.toUpperCase()] as [Queue<string>, string]),
      { chunksize: 1 },
    );
    void q.close();
    await go.put(1);
    expect(await first).toEqual(['a']);
    expect(await all).toEqual(values);
    expect(await later.get(30_000)).toEqual(values.map((v) => v.toUpperCase()));
    await out.close();
    await go.close();
  });

  it('map waiting for room (maxQueue full), then the pipe end closed, still gets its copy', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context, maxQueue: 1 });
    const first = pool.apply(t.sleep, [200]);
    const second = pool.apply(t.sleep, [1]);
    const [a, b] = Pipe();
    const result = pool.map(t.recvAll, [b]);
    b.close();
    a.send('kept');
    a.close();
    expect(await Promise.all([first, second, result])).toEqual([200, 1, [[['kept'], 'EOFError']]]);
  });

  it('imap over a generator that closes each pipe end once it has handed it over', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const pipes = [Pipe(), Pipe(), Pipe()];
    function* ends() {
      for (const [, b] of pipes) {
        yield b;
        b.close(); // read already: the call holds its copy
      }
    }
    pipes.forEach(([a], i) => {
      a.send(i);
      a.close();
    });
    const got = [];
    for await (const r of pool.imap(t.recvAll, ends(), { chunksize: 2 })) got.push(r);
    expect(got).toEqual([
      [[0], 'EOFError'],
      [[1], 'EOFError'],
      [[2], 'EOFError'],
    ]);
  });

  it('imapUnordered over an async generator that closes each queue once it has handed it over', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 2, context });
    async function* items() {
      for (const v of ['p', 'q']) {
        const q = new Queue<string>();
        yield [q, v] as const;
        void q.close();
      }
    }
    const got: string[] = [];
    for await (const r of pool.imapUnordered(t.putPair, items(), { chunksize: 2 })) got.push(r as string);
    expect(got.sort()).toEqual(['p', 'q']);
  });
});
