// A pipe or queue CREATED in a worker and handed to its parent lives in that worker (its home):
// what the worker sent and put before it ended (returned, threw, called process.exit()) must still
// reach the parent, in order, then EOFError (CONTRACT "Delivery"; Python keeps a pipe's data in the
// OS and flushes a queue's feeder at exit). See protocol/bequest.ts and runtime/will.ts.

import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokenPipeError, type Connection, EOFError, type JoinableQueue, Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core, killProcesses, startProcess } from './core.js';

const { tasks, COUNT } = await import(new URL('./fixtures/made-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const expected = Array.from({ length: COUNT }, (_, i) => i);

/**
 * Everything `next` delivers until it rejects, which must be with EOFError. A failure names the
 * channel, how many items came, the last one, and what the end said (homeLost and the like).
 */
async function drain(what: string, next: () => Promise<number>, first: number[]): Promise<number[]> {
  const got = [...first];
  for (;;) {
    try {
      got.push(await next());
    } catch (err) {
      const said = `the ${what} delivered ${got.length} item(s), the last ${JSON.stringify(got.at(-1))}, then ${(err as Error)?.name}: ${(err as Error)?.message}`;
      expect(err, said).toBeInstanceOf(EOFError);
      // Any loss fails here, with the message above (a whole array diff would not say it).
      if (got.length !== expected.length || got.some((v, i) => v !== i)) expect.fail(said);
      return got;
    }
  }
}

/** Everything `conn` delivers until EOFError (any other error fails the test). */
function drainPipe(conn: Connection<number>, first: number[] = []): Promise<number[]> {
  return drain('pipe', () => conn.recv(), first);
}

/** Everything `q` delivers until EOFError; a plain timeout (QueueEmptyError) fails the test. */
function drainQueue(q: Queue<number>, first: number[] = []): Promise<number[]> {
  return drain('queue', () => q.get({ timeout: 20_000 }), first);
}

/** Blocks this thread (no event loop turn) until `done()` or `ms` passed. */
function blockUntil(done: () => boolean, ms: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) Atomics.wait(cell, 0, 0, 10);
}

describe.each(matrix(import.meta.url))('a pipe and a queue made in a worker (%s)', (context) => {
  it.each(['return', 'throw', 'exit'])(
    'what the worker sent and put before it ended (%s) arrives in order while the parent reads, then EOFError',
    async (how) => {
      const back = new Queue<[Connection<number>, Queue<number>]>();
      const p = startProcess(context, tasks.makeSendAndEnd, [back, how, null]);
      const [conn, q] = await back.get({ timeout: 20_000 });
      expect(await drainPipe(conn)).toEqual(expected);
      expect(await drainQueue(q)).toEqual(expected);
      await p.join();
      expect(p.exitCode).toBe(how === 'throw' ? 1 : 0);
      // Nothing put now could be delivered: both forms refuse it.
      await expect(q.put(1)).rejects.toBeInstanceOf(EOFError);
      expect(() => q.putNowait(2)).toThrow(EOFError);
      back.close();
    },
  );

  it.each(['return', 'throw', 'exit'])(
    'what the worker sent and put before it ended (%s) arrives when the parent takes them only afterwards',
    async (how) => {
      const back = new Queue<[Connection<number>, Queue<number>]>();
      const p = startProcess(context, tasks.makeSendAndEnd, [back, how, null]);
      await p.join();
      // The parent's copies are made only now: the worker that holds the items is gone.
      const [conn, q] = await back.get({ timeout: 20_000 });
      expect(await drainQueue(q)).toEqual(expected);
      expect(await drainPipe(conn)).toEqual(expected);
      back.close();
    },
  );

  it.each(['return', 'throw', 'exit'])(
    'a parent already reading keeps the rest when the worker ends (%s)',
    async (how) => {
      const back = new Queue<[Connection<number>, Queue<number>]>();
      const [gate, go] = Pipe<string>({ duplex: false });
      const p = startProcess(context, tasks.makeSendAndEnd, [back, how, gate]);
      gate.close();
      const [conn, q] = await back.get({ timeout: 20_000 });
      const firstSent = [await conn.recv()];
      const firstPut = [await q.get({ timeout: 20_000 })];
      go.send('end now');
      await p.join();
      expect(await drainPipe(conn, firstSent)).toEqual(expected);
      expect(await drainQueue(q, firstPut)).toEqual(expected);
      back.close();
    },
  );

  // A copy reaches its home in a worker over a socket (in either context: an item is encoded for any
  // process). The worker ends while what it pushed last (and its bequest) is still in the parent's
  // kernel buffer, unread, and the parent writes to both links first (a message; a get's demand).
  // A write the closed end refuses (EPIPE) used to make Node destroy the socket with those bytes
  // unread: the parent got the items it had read, then EOFError saying its home was killed (seen
  // in CI as 33 of 100 items).
  it('what the worker sent and put reaches a parent that writes to both before it reads the rest', async () => {
    const back = new Queue<[Connection<number>, Queue<number>]>();
    const stem = join(tmpdir(), `mp-made-${process.pid}-${Date.now()}`);
    const [go, ended] = [`${stem}-go`, `${stem}-ended`];
    const p = startProcess(context, tasks.makeSendWhenToldAndMark, [back, go, ended]);
    const [conn, q] = await back.get({ timeout: 20_000 });
    const firstSent = [await conn.recv()];
    const firstPut = [await q.get({ timeout: 20_000 })];
    // No turn of this thread's loop from now until the worker sent the rest, ran its exit hooks and
    // its end closed its sockets: all it wrote since waits unread here.
    writeFileSync(go, '');
    blockUntil(() => existsSync(ended), 20_000);
    blockUntil(() => false, 300);
    for (const f of [go, ended]) rmSync(f, { force: true });
    // Its home is gone: never delivered (refused at once where the copy heard it already).
    try {
      conn.send(-1);
    } catch (err) {
      expect(err).toBeInstanceOf(BrokenPipeError);
    }
    // The queue's first get writes a demand at once.
    const [put, sent] = await Promise.all([drainQueue(q, firstPut), drainPipe(conn, firstSent)]);
    expect(sent).toEqual(expected);
    expect(put).toEqual(expected);
    await p.join();
    back.close();
  });

  // The parent's copies connect while the worker ends: whether the worker's exit hooks ran (and
  // what a copy says at its end) must not depend on which side learned of the end first. Several
  // rounds: each once lost that race about one time in three. The rounds run side by side: one
  // after another, each waiting for its worker to start, they took 23-55 s in CI runs and once
  // over the 60 s bound (0.5 s each on a quiet machine); each round's race is its own either way.
  it.each(['return', 'exit'])(
    'a queue and a pipe made in a worker that ended by itself (%s) end with EOFError that says nothing is lost',
    async (how) => {
      const round = async (): Promise<unknown[]> => {
        const back = new Queue<[Connection<number>, Queue<number>]>();
        const p = startProcess(context, tasks.makeAndEnd, [back, how]);
        // Bounded by the test's timeout: the 8 workers start at once, the last one's put comes
        // when they all have started (past 20 s once at load 60).
        const [conn, q] = await back.get();
        await p.join();
        const errors = [
          await q.get({ timeout: 20_000 }).catch((e: unknown) => e),
          await conn.recv().catch((e: unknown) => e),
        ];
        back.close();
        q.close();
        conn.close();
        return errors;
      };
      const errors = (await Promise.all(Array.from({ length: 8 }, round))).flat();
      for (const err of errors) {
        expect(err).toBeInstanceOf(EOFError);
        expect((err as Error).message).not.toMatch(/lost|exit hooks/);
      }
    },
  );

  // After its home ended, a copy's qsize() is what it still holds: the shared count (a thread copy)
  // and the home's last report (another process) still counted what the home's end handed it,
  // after it was got (100 after draining 100). It must not say less than is left either.
  it.each(['before', 'after'])(
    'qsize() of a queue whose creating worker ended counts what is left to get, 0 once drained (copy made %s the end)',
    async (when) => {
      for (let round = 0; round < 3; round++) {
        const back = new Queue<[Connection<number>, Queue<number>]>();
        const p = startProcess(context, tasks.makeSendAndEnd, [back, 'return', null]);
        if (when === 'after') await p.join();
        const [conn, q] = await back.get({ timeout: 20_000 });
        await p.join();
        const sizes = [q.qsize()];
        for (let got = 1; got <= COUNT; got++) {
          expect(await q.get({ timeout: 20_000 })).toBe(got - 1);
          sizes.push(q.qsize());
        }
        await expect(q.get({ timeout: 20_000 })).rejects.toBeInstanceOf(EOFError);
        // Never less than what is left to get (it may say more while the home's end is on its way).
        expect(sizes.filter((n, got) => n < COUNT - got)).toEqual([]);
        expect(q.qsize()).toBe(0);
        expect(q.empty()).toBe(true);
        back.close();
        q.close();
        conn.close();
      }
    },
  );

  // Python's items in a killed child's queue are gone too (they sit in its feeder or pipe); here
  // the parent is told so, at once, rather than waiting or seeing a plain end.
  it.each(['kill', 'terminate'])(
    'a get on a queue whose creating worker was stopped (%s) rejects with EOFError saying its items are lost',
    async (how) => {
      const back = new Queue<[Connection<number>, Queue<number>]>();
      // Nothing is sent on `go`: the worker waits until stopped (`go` must stay open meanwhile).
      const [gate, go] = Pipe<string>({ duplex: false });
      const p = startProcess(context, tasks.makeSendAndEnd, [back, 'return', gate]);
      const [, q] = await back.get({ timeout: 20_000 });
      expect(await q.get({ timeout: 20_000 })).toBe(0);
      if (how === 'kill') p.kill();
      else await p.terminate();
      let err: unknown;
      for (;;) {
        try {
          await q.get({ timeout: 20_000 }); // what was pushed here before the end is still served
        } catch (e) {
          err = e;
          break;
        }
      }
      expect(err).toBeInstanceOf(EOFError);
      expect((err as EOFError).code).toBe('MP_EOF');
      expect((err as Error).message).toMatch(/lost/);
      await p.join();
      gate.close();
      go.close();
      back.close();
    },
  );

  it.each([{}, { maxTasksPerChild: 1 }])(
    'a queue a pool task made and returned keeps its items when its worker is replaced (%o)',
    async (options) => {
      const pool = new core.Pool({ processes: 1, context, ...options });
      try {
        const q = (await pool.apply(tasks.makeQueue, [])) as Queue<number>;
        // With maxTasksPerChild: 1 this runs on the worker that replaced the task's own.
        expect(await pool.apply(tasks.nothing, [])).toBe('done');
        const got = [];
        for (let i = 0; i < 3; i++) got.push(await q.get({ timeout: 20_000 }));
        expect(got).toEqual([0, 1, 2]);
        // A thread copy reads the queue's shared count while the home lives; its home gone, what it holds.
        expect(q.qsize()).toBe(0);
        expect(q.empty()).toBe(true);
      } finally {
        await pool.terminate();
      }
    },
  );

  it('join() of a JoinableQueue whose worker ended rejects with EOFError, not as if every task were done', async () => {
    const back = new Queue<JoinableQueue<number>>();
    const p = startProcess(context, tasks.makeJoinable, [back]);
    const jq = await back.get({ timeout: 20_000 });
    await p.join();
    // Two tasks were never marked done, and nothing can count them any more (the home is gone):
    // a join once resolved at once here, telling the program that all the work was done.
    await expect(jq.join()).rejects.toBeInstanceOf(EOFError);
    // What the worker left can still be read, as for a plain Queue.
    expect([await jq.get({ timeout: 20_000 }), await jq.get({ timeout: 20_000 })]).toEqual([0, 1]);
    jq.close();
    back.close();
  });
});
