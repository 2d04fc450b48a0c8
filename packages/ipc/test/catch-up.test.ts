// A synchronous answer given where a queue or pipe lives (its home thread) counts what thread
// workers already put or sent, also when that thread never yields to its event loop: their frames
// are read from the copies' ports at once (`receiveMessageOnPort`), and what a copy counted as put
// but has not posted yet (its turn had not ended) is waited for, briefly. Python's get_nowait()
// sees an item once put() returned in the producer; so does a copy's getNowait(), which the home
// answers after reading the other copies' ports. Interleavings are forced with a shared Event: the
// producer sets it once its puts returned, the consumer blocks on it with waitSync().
import { JoinableQueue, Pipe, Queue, SimpleQueue } from '@multiproc/ipc';
import { Event } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/catch-up-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const N = 3;
const ROUNDS = 5;
// A producer that runs on this long without yielding after it set the Event: its puts of that turn
// but the first are posted only then.
const SPIN_MS = 30;
const nowaits = (q: { getNowait(): unknown }): unknown[] =>
  Array.from({ length: N }, () => {
    try {
      return q.getNowait();
    } catch (err) {
      return (err as { code?: string }).code;
    }
  });
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

type Make = () => Queue<number>;
const QUEUES: [string, Make, boolean][] = [
  ['Queue, await put()', () => new Queue<number>(), false],
  ['Queue, putNowait()', () => new Queue<number>(), true],
  ['bounded Queue, putNowait()', () => new Queue<number>({ maxsize: 10 }), true],
  ['JoinableQueue, putNowait()', () => new JoinableQueue<number>(), true],
];

describe('the home thread never yields', () => {
  it.each(QUEUES)('%s in a thread worker: getNowait() takes each item', async (_, make, nowait) => {
    for (let r = 0; r < ROUNDS; r++) {
      const q = make();
      const done = new Event();
      const p = startProcess('thread', tasks.produce, [q, done, N, nowait]);
      expect(done.waitSync(20_000)).toBe(true);
      expect(q.qsize()).toBe(N);
      expect(nowaits(q), `round ${r}`).toEqual(upTo(N));
      await p.join();
    }
  });

  it("a SimpleQueue's empty() is false once a thread worker's put() returned", async () => {
    const q = new SimpleQueue<number>();
    const done = new Event();
    const p = startProcess('thread', tasks.produce, [q, done, N, false]);
    expect(done.waitSync(20_000)).toBe(true);
    expect(q.empty()).toBe(false);
    for (const i of upTo(N)) expect(await q.get()).toBe(i);
    expect(q.empty()).toBe(true);
    await p.join();
  });

  it('getNowait() waits for puts a thread worker made and has not posted yet', async () => {
    const q = new Queue<number>();
    const done = new Event();
    // The first put leaves at once (its link was quiet), the others at the end of the worker's
    // turn, 50 ms after it set the Event.
    const p = startProcess('thread', tasks.produce, [q, done, N, true, 50]);
    expect(done.waitSync(20_000)).toBe(true);
    expect(nowaits(q)).toEqual(upTo(N));
    await p.join();
  });

  it('get({ block: false }) takes each item a thread worker put', async () => {
    for (let r = 0; r < ROUNDS; r++) {
      const q = new Queue<number>();
      const done = new Event();
      const p = startProcess('thread', tasks.produce, [q, done, N, false, SPIN_MS]);
      expect(done.waitSync(20_000)).toBe(true);
      const gets = upTo(N).map(() => q.get({ block: false }).catch((err) => err.code));
      expect(await Promise.all(gets), `round ${r}`).toEqual(upTo(N));
      await p.join();
    }
  });

  it('a get({ block: false }) that looks again after an I/O turn is not overtaken by a later one', async () => {
    // The worker's puts but the first leave 300 ms after it set the Event: the second get waits
    // 200 ms for them (CATCH_UP_MS) and looks again after an I/O turn; the third gets them while
    // it waits. It took item 1 before the second looked again, which then took item 2.
    const q = new Queue<number>();
    const done = new Event();
    const p = startProcess('thread', tasks.produce, [q, done, N, false, 300]);
    expect(done.waitSync(20_000)).toBe(true);
    const gets = upTo(N).map(() => q.get({ block: false }).catch((err) => err.code));
    expect(await Promise.all(gets)).toEqual(upTo(N));
    await p.join();
  });

  it('poll() sees each value a thread worker sent', async () => {
    for (let r = 0; r < ROUNDS; r++) {
      const [mine, theirs] = Pipe<number>();
      const done = new Event();
      const p = startProcess('thread', tasks.send, [theirs, done, N, SPIN_MS]);
      expect(done.waitSync(20_000)).toBe(true);
      for (const i of upTo(N)) {
        expect(await mine.poll(), `round ${r}, value ${i}`).toBe(true);
        expect(await mine.recv()).toBe(i);
      }
      await p.join();
    }
  });
});

describe.each(matrix(import.meta.url))('a %s copy never yields', (context) => {
  it.each(['nowait', 'block false'])('%s: takes what a thread worker put', async (form) => {
    for (let r = 0; r < ROUNDS; r++) {
      const q = new Queue<number>();
      const done = new Event();
      const [report, theirs] = Pipe<unknown[]>();
      // The consumer in `context` blocks on the Event (a thread); a process consumer is told by
      // the parent, which waits on the Event itself.
      const ready = context === 'thread' ? done : Pipe<string>();
      const c =
        context === 'thread'
          ? startProcess('thread', tasks.consume, [q, done, N, form, theirs])
          : startProcess('process', tasks.consumeAfter, [q, (ready as any)[1], N, form, theirs]);
      const p = startProcess('thread', tasks.produce, [q, done, N, false, SPIN_MS]);
      if (context === 'process') {
        expect(done.waitSync(20_000)).toBe(true);
        (ready as any)[0].send('go');
      }
      expect(await report.recv(), `round ${r}`).toEqual(upTo(N));
      await Promise.all([p.join(), c.join()]);
    }
  });
});
