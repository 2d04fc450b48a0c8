// A wait() pending when recvBytes(maxlength) refuses a longer message (which leaves the end send-only,
// as Python's recv_bytes does with OSError) reports that connection ready at once: Python's wait()
// reports a connection whose reading would not block, and reading it now fails at once. Before, a
// wait() that began after the message was handed to the waiting recvBytes() slept to its timeout
// (or for ever), and one that began before could reject with ProcessError instead of reporting it.
import { ClosedError, MessageTooLongError, Pipe, ProcessError, wait } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import { bounded } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/poll-race-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

// A wait that should end at once and is still waiting after STUCK_MS is stuck (see helpers.ts).

describe('in the pipe’s own thread', () => {
  it.each([20_000, null] as const)(
    'wait([b], %s) begun before the refused message came reports b ready',
    async (timeout) => {
      const [a, b] = Pipe();
      const watched = timeout === null ? wait([b]) : wait([b], timeout);
      const got = b.recvBytes(2);
      a.sendBytes(new Uint8Array(10));
      await expect(bounded(got)).rejects.toBeInstanceOf(MessageTooLongError);
      expect(await bounded(watched)).toEqual([b]);
      await expect(b.recv()).rejects.toBeInstanceOf(ProcessError);
      a.close();
      b.close();
    },
    20_000,
  );

  it.each([20_000, null] as const)(
    'wait([b], %s) begun after the refused message was taken reports b once the end stops receiving',
    async (timeout) => {
      const [a, b] = Pipe();
      const got = b.recvBytes(2);
      a.sendBytes(new Uint8Array(10)); // handed to the waiting recvBytes() now, checked a moment later
      const watched = timeout === null ? wait([b]) : wait([b], timeout);
      await expect(bounded(got)).rejects.toBeInstanceOf(MessageTooLongError);
      expect(await bounded(watched)).toEqual([b]);
      a.close();
      b.close();
    },
    20_000,
  );

  it('wait() over two connections reports only the refused one', async () => {
    const [a, b] = Pipe();
    const [c, d] = Pipe();
    const got = b.recvBytes(2);
    a.sendBytes(new Uint8Array(10));
    const watched = wait([d, b], 20_000);
    await expect(bounded(got)).rejects.toBeInstanceOf(MessageTooLongError);
    expect(await bounded(watched)).toEqual([b]);
    for (const x of [a, b, c, d]) x.close();
  }, 20_000);

  it('on a receive-only end (closed by the refusal, as in Python) wait() reports it; recv() then says closed', async () => {
    const [r, w] = Pipe({ duplex: false });
    const got = r.recvBytes(2);
    w.sendBytes(new Uint8Array(10));
    const watched = wait([r], 20_000);
    await expect(bounded(got)).rejects.toBeInstanceOf(MessageTooLongError);
    expect(await bounded(watched)).toEqual([r]);
    await expect(r.recv()).rejects.toBeInstanceOf(ClosedError);
    w.close();
  }, 20_000);

  it('wait() called after the refusal throws ProcessError, as on a send-only end', async () => {
    const [a, b] = Pipe();
    const got = b.recvBytes(2);
    a.sendBytes(new Uint8Array(10));
    await expect(got).rejects.toBeInstanceOf(MessageTooLongError);
    await expect(wait([b], 100)).rejects.toBeInstanceOf(ProcessError);
    a.close();
    b.close();
  }, 20_000);
});

describe.each(matrix(import.meta.url))('in a %s worker (a copy)', (context) => {
  it('wait([conn], ms) beside a recvBytes(maxlength) that refuses reports conn ready', async () => {
    const [a, b] = Pipe();
    const [outR, outW] = Pipe({ duplex: false });
    startProcess(context, tasks.waitWhileRecvBytesRefuses, [b, outW]);
    b.close();
    outW.close();
    expect(await bounded(outR.recv())).toBe('waiting');
    a.sendBytes(new Uint8Array(10));
    expect(await bounded(outR.recv())).toEqual(['MessageTooLongError', 'ready', 'ProcessError']);
    a.close();
    outR.close();
  }, 30_000);
});
