// A value a queue or pipe cannot carry says where it was going: through a queue (its values can
// reach any process), not "to a child process" in a program that has none.

import { Pipe, Queue } from '@multiproc/ipc';
import { Event, RawArray } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

describe('what a queue or pipe refuses', () => {
  it('names the class with its article and the queue as the way it was going', async () => {
    const q = new Queue();
    const [a, b] = Pipe();
    const put = await q.put(new Event()).catch((err: Error) => err);
    expect(put).toMatchObject({ name: 'ContextError', code: 'MP_CONTEXT' });
    expect((put as Error).message).toMatch(/value \(an Event\) through a queue, pipe or manager/);
    expect(() => a.send({ arr: new RawArray('i', 1) })).toThrow(/value\.arr \(a RawArray\) through a queue/);
    for (const c of [q, a, b]) c.close();
  });
});
