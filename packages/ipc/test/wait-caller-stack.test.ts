// A get() or recv() that had to wait and failed (QueueEmptyError at its timeout, EOFError when the
// other end closed, ClosedError when this copy closed meanwhile) says which line of the program
// waited, as Python's traceback does: its stack has the error's own frames, then the frames of the
// awaiting code below a header line. Before, those errors were made in a timer's or a peer's event
// and named no line of the program. A receive that fails at once already has them: no header.

import { EOFError, JoinableQueue, Pipe, Queue, QueueEmptyError, SimpleQueue } from '@multiproc/ipc';
import { ClosedError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

const GET = 'Where the get() was awaited:';
const RECV = 'Where the recv() was awaited:';

async function waitsForAnItem(q: { get(options?: { timeout: number }): Promise<unknown> }) {
  return await q.get({ timeout: 30 });
}

async function waitsForAMessage(conn: { recv(): Promise<unknown> }) {
  return await conn.recv();
}

/** What `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('it resolved');
    },
    (error: unknown) => error as Error,
  );
}

/**
 * `error`'s stack has `header` once, followed by the frame of `caller`, which appears nowhere else
 * (V8's async stack trace may have put the awaiting code's frames in the error's own stack already:
 * they are shown once, below the header, as CPython's test_broken_process_pool_traceback asks).
 */
function expectCaller(error: Error, header: string, caller: string): void {
  const stack = String(error.stack);
  const at = stack.indexOf(header);
  expect(at, stack).toBeGreaterThan(0);
  expect(stack.indexOf(header, at + 1), stack).toBe(-1);
  expect(stack.slice(at), stack).toMatch(new RegExp(`at (async )?${caller} `));
  expect(stack.split(`${caller} (`).length - 1, stack).toBe(1);
}

describe('a get() that waited and failed names the code that awaited it', () => {
  it.each([
    ['Queue', () => new Queue()],
    ['JoinableQueue', () => new JoinableQueue()],
  ])('%s: QueueEmptyError at its timeout', async (_name, make) => {
    const q = make();
    const error = await failure(waitsForAnItem(q as never));
    expect(error).toBeInstanceOf(QueueEmptyError);
    expectCaller(error, GET, 'waitsForAnItem');
    q.close();
  });

  it.each([
    ['Queue', () => new Queue()],
    ['SimpleQueue', () => new SimpleQueue()],
  ])('%s: ClosedError when this copy is closed while it waits', async (_name, make) => {
    const q = make();
    const waiting = failure(
      (async function getsUntilClosed() {
        return await q.get();
      })(),
    );
    setTimeout(() => q.close(), 10);
    const error = await waiting;
    expect(error).toBeInstanceOf(ClosedError);
    expectCaller(error, GET, 'getsUntilClosed');
  });

  it('an item that is there, or a failure at once, adds nothing', async () => {
    const q = new Queue<number>();
    await q.put(1);
    expect(await waitsForAnItem(q)).toBe(1);
    q.close();
    const error = await failure(waitsForAnItem(q));
    expect(error).toBeInstanceOf(ClosedError);
    expect(String(error.stack)).not.toContain(GET);
    expect(String(error.stack)).toContain('waitsForAnItem');
  });
});

describe('a recv() that waited and failed names the code that awaited it', () => {
  it('EOFError when the other end closes while it waits', async () => {
    const [a, b] = Pipe();
    const waiting = failure(waitsForAMessage(b));
    setTimeout(() => a.close(), 10);
    const error = await waiting;
    expect(error).toBeInstanceOf(EOFError);
    expectCaller(error, RECV, 'waitsForAMessage');
    b.close();
  });

  it('a message that is there, or EOFError at once, adds nothing', async () => {
    const [a, b] = Pipe();
    a.send('hi');
    a.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await waitsForAMessage(b)).toBe('hi');
    const error = await failure(waitsForAMessage(b));
    expect(error).toBeInstanceOf(EOFError);
    expect(String(error.stack)).not.toContain(RECV);
    b.close();
  });
});
