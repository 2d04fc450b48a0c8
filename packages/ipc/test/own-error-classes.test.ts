// A realm holding two copies of this package (here: the build these tests import, and the sources,
// loaded after it as a second install would be) rebuilds the errors it receives as the classes of
// the copy that received them: a value sent through the build's Pipe or Queue, and a served
// object's error coming back to its manager, are `instanceof` the classes the build exports,
// whichever copy registered the same class names last.
import { BaseManager, EOFError, KeyError, Pipe, Queue, QueueEmptyError } from '@multiproc/ipc';
import { TimeoutError } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { core } from './core.js';

const managers: BaseManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
});

describe('errors decode as the receiving copy’s classes', () => {
  it('the sources of this package are loaded too, after the build (the premise)', async () => {
    expect(core.Process).toBeTypeOf('function');
    const sources = await import('../src/index.ts');
    expect(sources.EOFError).not.toBe(EOFError);
    expect(sources.EOFError.name).toBe('EOFError');
  });

  it('through a Pipe and a Queue in this thread', { timeout: 30_000 }, async () => {
    const [a, b] = Pipe();
    const errors = [new EOFError('e'), new QueueEmptyError(), new KeyError('k'), new TimeoutError('t')];
    a.send(errors);
    const got = (await b.recv()) as Error[];
    expect(got.map((e) => e.constructor)).toEqual([EOFError, QueueEmptyError, KeyError, TimeoutError]);
    a.close();
    b.close();
    const q = new Queue();
    await q.put({ err: new EOFError('in a queue') });
    const item = (await q.get()) as { err: Error };
    expect(item.err).toBeInstanceOf(EOFError);
    q.close();
  });

  it('from a served object through a manager', { timeout: 30_000 }, async () => {
    class Thrower {
      ours(): never {
        throw new KeyError('a real KeyError');
      }
    }
    const m = new BaseManager();
    m.register('Thrower', Thrower);
    managers.push(m);
    await m.start();
    const t = (await m.create('Thrower')) as any;
    const err = await t.ours().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyError);
    expect(err).toMatchObject({ code: 'MP_KEY', message: 'a real KeyError' });
  });
});
