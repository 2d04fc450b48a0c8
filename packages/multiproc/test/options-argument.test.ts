// Every public constructor and call that takes an options object, given null (Python's None: no
// options) and given a number or a string (a mistake: a named ValidationError, never a TypeError
// from inside, and never silently ignored).
import * as mp from '@multiproc/multiproc';
import { afterAll, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';

const pool = new mp.Pool({ processes: 1 });
afterAll(() => pool.terminate());

type Call = (options: unknown) => unknown;

/** Constructs or calls, then releases what was made; returns a promise for the async ones. */
const calls: Record<string, Call> = {
  'new Pool()': async (o) => {
    await new mp.Pool(o as never).terminate();
  },
  "getContext('thread').Pool()": async (o) => {
    await new (mp.getContext('thread').Pool as typeof mp.Pool)(o as never).terminate();
  },
  'pool.apply()': (o) => pool.apply(tasks.square, [3], o as never),
  'pool.applyAsync()': (o) => pool.applyAsync(tasks.square, [3], o as never).get(),
  'pool.map()': (o) => pool.map(tasks.square, [3], o as never),
  'pool.mapAsync()': (o) => pool.mapAsync(tasks.square, [3], o as never).get(),
  'pool.starmap()': (o) => pool.starmap(tasks.square, [[3]], o as never),
  'pool.starmapAsync()': (o) => pool.starmapAsync(tasks.square, [[3]], o as never).get(),
  'pool.imap()': async (o) => {
    for await (const _ of pool.imap(tasks.square, [3], o as never));
  },
  'pool.imapUnordered()': async (o) => {
    for await (const _ of pool.imapUnordered(tasks.square, [3], o as never));
  },
  'new Queue()': (o) => new mp.Queue(o as never).close(),
  'new JoinableQueue()': (o) => new mp.JoinableQueue(o as never).close(),
  'new SimpleQueue()': (o) => new mp.SimpleQueue(o as never).close(),
  'Pipe()': (o) => {
    for (const end of mp.Pipe(o as never)) end.close();
  },
  'new Barrier()': (o) => new mp.Barrier(2, o as never),
  'new Value()': (o) => new mp.Value('i', 1, o as never),
  'new SharedArray()': (o) => new mp.SharedArray('i', 2, o as never),
  'new ByteChannel()': (o) => new mp.ByteChannel(o as never).close(),
  'enableWarmStart()': (o) => {
    mp.enableWarmStart(o as never);
    mp.disableWarmStart();
  },
  // The first (null) sets the start method; the others fail on their options before that check.
  'setStartMethod()': (o) => mp.setStartMethod('thread', o as never),
  'new Listener()': (o) => new mp.Listener(undefined, o as never).close(),
  'Client()': async (o) => {
    const listener = new mp.Listener();
    try {
      const accepted = listener.accept();
      // A refused Client never connects: close() then ends this accept().
      accepted.catch(() => {});
      (await mp.Client(listener.address, o as never)).close();
      (await accepted).close();
    } finally {
      listener.close();
    }
  },
  'Manager()': async (o) => {
    const manager = mp.Manager(o as never);
    await manager.shutdown();
  },
  'new SyncManager()': (o) => void new mp.SyncManager(o as never),
  'new BaseManager()': (o) => void new mp.BaseManager(o as never),
  'manager.Barrier()': async (o) => {
    const manager = await mp.Manager.start();
    try {
      manager.Barrier(2, o as never);
    } finally {
      await manager.shutdown();
    }
  },
};

const TAKES_MAXSIZE = new Set(['new Queue()', 'new JoinableQueue()']);

describe('an options argument', () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name} reads null as no options`, { timeout: 30_000 }, async () => {
      await expect(Promise.resolve().then(() => call(null))).resolves.not.toThrow();
    });

    // A queue takes a number as its maxsize (Python's Queue(10)): only the string is bad there.
    for (const bad of TAKES_MAXSIZE.has(name) ? ['x'] : [5, 'x']) {
      it(`${name} refuses ${JSON.stringify(bad)} as options with a ValidationError saying options are an object`, {
        timeout: 30_000,
      }, async () => {
        const failure = await Promise.resolve()
          .then(() => call(bad))
          .then(
            () => undefined,
            (err: unknown) => err,
          );
        expect(failure).toBeInstanceOf(mp.ValidationError);
        expect((failure as Error).message).toMatch(/options are an object/);
        expect((failure as Error).message).toContain(
          typeof bad === 'number' ? 'the number 5' : "the string 'x'",
        );
      });
    }
  }

  it('new Process(null) and new Process(5) say that options are an object with a target', () => {
    expect(() => new mp.Process(null as never)).toThrow(/options are an object with a target/);
    expect(() => new mp.Process(5 as never)).toThrow(/options are an object.*the number 5/);
    expect(() => new mp.Process('x' as never)).toThrow(mp.ValidationError);
  });

  it('new Condition(null) makes its own RLock, as Python reads lock=None', () => {
    const cond = new mp.Condition(null);
    cond.acquireSync();
    expect(() => cond.notifyAll()).not.toThrow();
    cond.release();
  });
});
