// The cases of bug-reports-61.test.ts's reports that need no worker (or one short program), so
// cheap enough for the CI tier: queues, pipes and a manager in this thread.
//
// Reports covered here:
// - python/cpython#116631: task_done() once too many raised, racing with a shutdown.
// - python/cpython#142067: what Pipe()'s `duplex` is when it is not given.
// - python/cpython#91185 (bpo-47029): put() then close() at once raised BrokenPipeError.
// - vlivashkin/GPUParallel#6: a manager never shut down kept the program alive.
import { ClosedError, JoinableQueue, Pipe, ProcessError, Queue } from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { rejection, reportSuite, runProgram, sleep, within } from './report-helpers.ts';

reportSuite(import.meta.url, 'reports-61-');

describe('bug reports (61), queues, pipes and managers', () => {
  // python/cpython#116631: task_done() called once more than items were put raised
  // `ValueError: task_done() called too many times`. Here the extra taskDone() throws
  // ValidationError at once, and the count is not spoilt: join() resolves, and an item put after
  // it holds join() until its own taskDone().
  it('cpython#116631: taskDone() once too many throws ValidationError; the count stays right', {
    timeout: 10_000,
  }, async () => {
    const jq = new JoinableQueue<number>();
    try {
      await jq.put(1);
      await jq.put(2);
      await jq.get();
      await jq.get();
      jq.taskDone();
      jq.taskDone();
      expect(() => jq.taskDone()).toThrow(expect.objectContaining({ name: 'ValidationError' }));
      expect(await within(jq.join(), 5000)).toBeUndefined();
      await jq.put(3);
      expect(await within(jq.join(), 100)).toBe('still waiting');
      expect(await jq.get()).toBe(3);
      jq.taskDone();
      expect(await within(jq.join(), 5000)).toBeUndefined();
    } finally {
      jq.close();
    }
  });

  // python/cpython#142067: the documentation's signature did not say that `duplex` defaults to
  // True. Here Pipe() with no options is duplex (each end sends and receives), and
  // Pipe({ duplex: false }) gives [receive end, send end], each refusing the other direction with
  // ProcessError.
  it('cpython#142067: Pipe() is duplex by default; Pipe({ duplex: false }) is one-way', {
    timeout: 10_000,
  }, async () => {
    const [a, b] = Pipe();
    a.send('to b');
    b.send('to a');
    expect(await b.recv()).toBe('to b');
    expect(await a.recv()).toBe('to a');
    a.close();
    b.close();
    const [receiveEnd, sendEnd] = Pipe({ duplex: false });
    sendEnd.send(1);
    expect(await receiveEnd.recv()).toBe(1);
    // The types already refuse these calls; a JavaScript caller meets the errors.
    const wrongWay = { send: receiveEnd, recv: sendEnd } as unknown as {
      send: { send(v: unknown): void };
      recv: { recv(): Promise<unknown> };
    };
    expect(() => wrongWay.send.send(2)).toThrow(ProcessError);
    expect(await rejection(wrongWay.recv.recv())).toBeInstanceOf(ProcessError);
    receiveEnd.close();
    sendEnd.close();
  });

  // python/cpython#91185 (bpo-47029): `q.put(0)` then the queue collected (or closed) at once made
  // the feeder thread raise BrokenPipeError. Here a put() not awaited, followed at once by
  // close(), settles without an error, nothing is thrown or left unhandled later, and the closed
  // queue refuses further use with ClosedError.
  it('cpython#91185: put() then close() at once raises nothing, now or later', {
    timeout: 10_000,
  }, async () => {
    const problems: unknown[] = [];
    const note = (err: unknown) => problems.push(err);
    process.on('unhandledRejection', note);
    process.on('uncaughtException', note);
    try {
      for (let i = 0; i < 20; i++) {
        const q = new Queue<number>();
        const put = q.put(i);
        q.close();
        expect(await put).toBeUndefined();
        expect(() => q.putNowait(1)).toThrow(ClosedError);
      }
      await sleep(200);
    } finally {
      process.off('unhandledRejection', note);
      process.off('uncaughtException', note);
    }
    expect(problems).toEqual([]);
  });

  // vlivashkin/GPUParallel#6: a manager that was never shut down kept the program (and its child
  // processes) alive. Here a program that uses a manager and never shuts it down ends by itself,
  // exit code 0, once its work is done.
  it('GPUParallel#6: a program that leaves its manager open ends by itself', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout, stderr } = await runProgram('bugs-61-program.mjs', ['manager-left-open']);
    expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: 'got 1', stderr: '' });
  });
});
