// Every error a user meets in ordinary misuse says what to do, not only what happened (the house
// style's rule for messages; the contract: "Bad input gets a named error ... saying what to do"):
// using a pool, process, queue or connection after its close(), a full or empty queue without
// waiting, a condition without its lock, a bounded semaphore released once too often.
import mp from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';

/** A verb that tells the reader what to do, as a word of its own ("submit", not "submitted"). */
const ADVICE = /\b(use|call|make|submit|close|read|run|give|pass)\b/i;

/** The error `f` throws or its promise rejects with. */
async function errorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error');
}

describe('an error of ordinary misuse says what to do', () => {
  const cases: Record<string, [() => unknown, abstract new (...args: never[]) => Error]> = {
    'Pool.apply() after close()': [
      () => {
        const pool = new mp.Pool({ processes: 1 });
        pool.close();
        return pool.apply(tasks.square, [1]);
      },
      mp.PoolClosedError,
    ],
    'Process.isAlive() after close()': [
      () => {
        const p = new mp.Process({ target: tasks.square, args: [1] });
        p.close();
        return p.isAlive();
      },
      mp.ClosedError,
    ],
    'Queue.putNowait() after close()': [
      () => {
        const q = new mp.Queue();
        q.close();
        q.putNowait(1);
      },
      mp.ClosedError,
    ],
    'Connection.recv() after close()': [
      () => {
        const [a] = mp.Pipe();
        a.close();
        return a.recv();
      },
      mp.ClosedError,
    ],
    'Connection.send() after close()': [
      () => {
        const [a] = mp.Pipe();
        a.close();
        a.send(1);
      },
      mp.ClosedError,
    ],
    'Queue.getNowait() on an empty queue': [() => new mp.Queue().getNowait(), mp.QueueEmptyError],
    'Queue.get({ block: false }) on an empty queue': [
      () => new mp.Queue().get({ block: false }),
      mp.QueueEmptyError,
    ],
    'Queue.putNowait() on a full queue': [
      () => {
        const q = new mp.Queue({ maxsize: 1 });
        q.putNowait(1);
        q.putNowait(2);
      },
      mp.QueueFullError,
    ],
    'Queue.put(x, { block: false }) on a full queue': [
      () => {
        const q = new mp.Queue({ maxsize: 1 });
        q.putNowait(1);
        return q.put(2, { block: false });
      },
      mp.QueueFullError,
    ],
    'Condition.notify() without the lock': [() => new mp.Condition().notify(), mp.LockError],
    'Condition.wait() without the lock': [() => new mp.Condition().wait(1), mp.LockError],
    'BoundedSemaphore.release() past its value': [() => new mp.BoundedSemaphore(1).release(), mp.LockError],
  };
  it.for(Object.entries(cases))('%s', async ([, [f, Class]]) => {
    const err = await errorOf(f);
    expect(err).toBeInstanceOf(Class);
    expect(err.message).toMatch(ADVICE);
  });
});
