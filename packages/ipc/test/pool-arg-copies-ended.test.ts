// A pool call's arguments are encoded without `onReceiverEnd` (a worker that lives on keeps them),
// so the copies of pipe ends among them used to learn that their worker ended only once its link
// closed, which can come after the call rejected with WorkerCrashedError: a send on the other end
// was then dropped silently (2 runs in 10, thread context). The pool now tells them through
// `endEncoded` (carried.ts) as soon as it knows the worker ended, before the call settles. Here the
// encoded value never reaches a worker, so the link's close never comes: only that call ends them.

import { BrokenPipeError, Pipe } from '@multiproc/ipc';
import { encodeValue } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

const endEncoded = (value: unknown): void => {
  const end = (globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.ipc.endEncoded')];
  expect(typeof end).toBe('function');
  (end as (v: unknown) => void)(value);
};

const sendFails = (send: () => void): string => {
  try {
    send();
    return 'sent';
  } catch (error) {
    return error instanceof BrokenPipeError ? 'BrokenPipeError' : String(error);
  }
};

describe.each(['thread', 'process'] as const)('a pool call argument whose worker ended (%s)', (target) => {
  it('makes sends towards the pipe end it carried fail at once', () => {
    const [a, b] = Pipe<string>();
    // As a pool call encodes its arguments (apply-call.ts): told when its worker is being stopped only.
    const { value } = encodeValue([b], target, 'args', { tracksEnding: true });
    b.close();
    expect(sendFails(() => a.send('before'))).toBe('sent');
    endEncoded(value);
    expect(sendFails(() => a.send('after'))).toBe('BrokenPipeError');
    endEncoded(value); // told twice: counted out once
    a.close();
  });

  it('leaves the pipe working while another copy of that end is held', () => {
    const [a, b] = Pipe<string>();
    const first = encodeValue([b], target, 'args', { tracksEnding: true }).value;
    const second = encodeValue([b], target, 'args', { tracksEnding: true }).value;
    b.close();
    endEncoded(first);
    expect(sendFails(() => a.send('x'))).toBe('sent');
    endEncoded(second);
    expect(sendFails(() => a.send('y'))).toBe('BrokenPipeError');
    a.close();
  });
});
