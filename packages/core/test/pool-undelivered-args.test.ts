// A queue or pipe end among a pool call's arguments gets the call's own copy when the call is made
// (apply-call.ts). A call that never reaches a worker (rejected by terminate(), timed out or
// aborted while it waited, refused part-way by the codec) releases that copy: once the caller
// closed its own handle, the pipe's other end sees EOFError, as when the peer is gone (CONTRACT
// "IPC"), and does not wait for the pool to be joined. Before, the copy made for a thread worker
// (a port) or a child process (a reservation) stayed counted for as long as the program ran.
// A Process never started keeps nothing: its args are encoded by start() only.
import { EOFError, PoolClosedError, Process, TimeoutError } from '@multiproc/core';
import { type Connection, Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/undelivered-tasks.mjs';
import { poolMaker, serializationFailure } from './helpers.ts';

const makePool = poolMaker();

/** The end sees EOF within `ms`: poll() answers true and recv() rejects with EOFError. */
async function seesEof(end: Connection<unknown>, ms = 10_000): Promise<void> {
  expect(await end.poll(ms)).toBe(true);
  await expect(end.recv()).rejects.toBeInstanceOf(EOFError);
  end.close();
}

/** How a promise settled: its error's class name, or 'resolved'. */
const settled = (p: PromiseLike<unknown>): Promise<string> =>
  Promise.resolve(p).then(
    () => 'resolved',
    (e: unknown) => (e as Error).name,
  );

describe.each(matrix(import.meta.url))(
  'a pipe end among the arguments of a call never run (%s)',
  (context) => {
    /** A pool of one worker, held by a running call until `release()`. */
    async function busyPool() {
      const pool = makePool({ processes: 1, context });
      const [gate, theirs] = Pipe<string>();
      const held = pool.apply(t.hold, [theirs]);
      held.catch(() => {}); // a test that terminates the pool awaits it, or not
      theirs.close();
      expect(await gate.recv()).toBe('started');
      return { pool, held, release: () => gate.send('go') };
    }

    it('queued when the pool is terminated: PoolClosedError, and the other end sees EOF', {
      timeout: 30_000,
    }, async () => {
      const { pool, held } = await busyPool();
      const [mine, theirs] = Pipe();
      const [mine2, theirs2] = Pipe();
      const queued = pool.applyAsync(t.use, [theirs]);
      // Behind it in the pool's own queue (the first went to tinypool's).
      const queued2 = pool.applyAsync(t.use, [theirs2]);
      theirs.close();
      theirs2.close();
      await pool.terminate();
      await expect(queued).rejects.toBeInstanceOf(PoolClosedError);
      await expect(queued2).rejects.toBeInstanceOf(PoolClosedError);
      expect(await settled(held)).toBe('PoolClosedError');
      await seesEof(mine);
      await seesEof(mine2);
    });

    it('timed out or aborted while it waited: the other end sees EOF while the worker is busy', {
      timeout: 30_000,
    }, async () => {
      const { pool, held, release } = await busyPool();
      const [mine, theirs] = Pipe();
      const [mine2, theirs2] = Pipe();
      const [mine3, theirs3] = Pipe();
      const controller = new AbortController();
      const timed = pool.apply(t.use, [theirs], { timeout: 50 });
      const aborted = pool.apply(t.use, [theirs2], { signal: controller.signal });
      const abortedToo = pool.apply(t.use, [theirs3], { signal: controller.signal });
      for (const end of [theirs, theirs2, theirs3]) end.close();
      await expect(timed).rejects.toBeInstanceOf(TimeoutError);
      controller.abort();
      await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
      await expect(abortedToo).rejects.toMatchObject({ name: 'AbortError' });
      await seesEof(mine);
      await seesEof(mine2);
      await seesEof(mine3);
      // The worker was not stopped: the held call finishes, and the pool goes on.
      release();
      expect(await held).toBe('held');
      const [a, b] = Pipe();
      expect(await pool.apply(t.use, [b])).toBe('used');
      b.close();
      await seesEof(a);
    });

    it('map, starmap and imap chunks aborted or terminated before they started: EOF', {
      timeout: 30_000,
    }, async () => {
      const { pool } = await busyPool();
      const ends = Array.from({ length: 6 }, () => Pipe());
      const [m0, m1, s0, s1, i0, i1] = ends.map(([, theirs]) => theirs);
      const controller = new AbortController();
      const options = { chunksize: 1, signal: controller.signal };
      const mapped = pool.map(t.use, [m0, m1], options);
      const starred = pool.starmap(t.use, [[s0], [s1]], options);
      const looped = (async () => {
        for await (const _ of pool.imap(t.use, [i0, i1], { chunksize: 1 })) {
        }
      })();
      for (const [, theirs] of ends) theirs.close();
      controller.abort();
      await expect(mapped).rejects.toMatchObject({ name: 'AbortError' });
      await expect(starred).rejects.toMatchObject({ name: 'AbortError' });
      await seesEof(ends[0]![0]);
      await seesEof(ends[1]![0]);
      await seesEof(ends[2]![0]);
      await seesEof(ends[3]![0]);
      await pool.terminate();
      await expect(looped).rejects.toBeInstanceOf(PoolClosedError);
      await seesEof(ends[4]![0]);
      await seesEof(ends[5]![0]);
    });

    it('arguments the codec refused part-way: SerializationError, and the end before it is released', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool({ processes: 1, context });
      const [mine, theirs] = Pipe();
      const [mine2, theirs2] = Pipe();
      const [mine3, theirs3] = Pipe();
      const err = await serializationFailure(pool.apply(t.use, [theirs, Symbol('no')]));
      expect(err.path).toBe('args[1]');
      const mapped = await serializationFailure(pool.map(t.use, [theirs2, Symbol('no')], { chunksize: 2 }));
      expect(mapped.path).toBe('items[1]');
      const starred = await serializationFailure(pool.starmap(t.use, [[theirs3, () => 1]], { chunksize: 2 }));
      expect(starred.path).toBe('items[0][1]');
      for (const end of [theirs, theirs2, theirs3]) end.close();
      await seesEof(mine);
      await seesEof(mine2);
      await seesEof(mine3);
    });
  },
);

describe('a call taken back from a busy thread (thread)', () => {
  // Calls of a task the pool knows to be quick go in batches; a worker that goes idle takes back
  // the calls a busy one has not started. Their ports went to the busy thread with its batch, and
  // the calls run elsewhere with new copies: the busy thread closes those it never decoded when
  // its batch ends (before, they stayed open until it exited).
  it('its first copy is closed by the thread it went to, when that batch ends', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool({ processes: 2, context: 'thread' });
    await Promise.all(Array.from({ length: 200 }, () => pool.apply(t.step, [])));
    const [gate, gateEnd] = Pipe<string>();
    const pipes = Array.from({ length: 4 }, () => Pipe());
    // In one turn: [held, 1] go to one thread, [2, 3] to the other, which then takes 1 back.
    const held = pool.apply(t.step, [pipes[0]![1], gateEnd]);
    const rest = pipes.slice(1).map(([, theirs]) => pool.apply(t.step, [theirs]));
    gateEnd.close();
    for (const [, theirs] of pipes) theirs.close();
    expect(await gate.recv()).toBe('started');
    // All three ran while the first thread is held: the call after `held` was taken back.
    expect(await Promise.all(rest)).toEqual(['ok', 'ok', 'ok']);
    gate.send('go');
    expect(await held).toBe('ok');
    for (const [mine] of pipes) await seesEof(mine);
  });
});

describe.each(matrix(import.meta.url))('a map chunk posted again (%s)', (context) => {
  // With maxTasksPerChild 1, the chunk tinypool posts to a worker that has served its task goes
  // back unrun, and is posted to the next worker: the port of a thread's copy went with the first
  // post, so the chunk is encoded again (before, it failed: "MessagePort ... already detached").
  it('after its worker retired without running it: it runs with new copies', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool({ processes: 1, context, maxTasksPerChild: 1 });
    const pipes = Array.from({ length: 4 }, () => Pipe<string>());
    const sent = await pool.map(
      t.greet,
      pipes.map(([, theirs]) => theirs),
      { chunksize: 1 },
    );
    expect(sent).toEqual(['sent', 'sent', 'sent', 'sent']);
    for (const [mine, theirs] of pipes) {
      theirs.close();
      expect(await mine.recv()).toBe('hi');
      await seesEof(mine);
    }
  });
});

describe.each(matrix(import.meta.url))(
  'a pipe end in the args of a Process never started (%s)',
  (context) => {
    it("is the parent's own: closed there, the other end sees EOF", { timeout: 20_000 }, async () => {
      const [mine, theirs] = Pipe();
      const p = new Process({ target: t.use, args: [theirs], context });
      theirs.close();
      await seesEof(mine);
      p.close();
    });
  },
);
