// A call refused for a bad argument (ValidationError) touches no shared word first: no waiter
// counted, no flag set, no row claimed, no wake-up sent, not even for a moment. Each method is
// called where a good call would wait (the lock held, no permit, the flag clear, the ring empty or
// full, other parties missing), and every Atomics write or notify on the object's shared memory
// during the call is recorded; the words after must equal those before (plain writes show there).
// The same check for the browser's ContextError is in browser.test.ts (fixtures/browser/refusals.html).
import {
  Barrier,
  BoundedSemaphore,
  ByteChannel,
  Condition,
  Event,
  encodeValue,
  Lock,
  RLock,
  Semaphore,
  SharedArray,
  Value,
} from '@multiproc/shared';
import { afterAll, describe, expect, it } from 'vitest';

function buffersOf(obj: unknown): SharedArrayBuffer[] {
  const found = new Set<SharedArrayBuffer>();
  const walk = (v: unknown): void => {
    if (v instanceof SharedArrayBuffer) found.add(v);
    else if (ArrayBuffer.isView(v)) walk(v.buffer);
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) walk((v as never)[k]);
  };
  walk(encodeValue(obj, 'thread').value);
  return [...found];
}
const snapshot = (bufs: SharedArrayBuffer[]) =>
  bufs.map((b) => Array.from(new Int32Array(b, 0, b.byteLength >> 2)));

// Every Atomics method that writes or wakes, wrapped to record what it did to watched memory.
type AtomicsFn = (ta: Int32Array, index: number, ...rest: number[]) => number;
const A = Atomics as unknown as Record<string, AtomicsFn>;
const METHODS = ['add', 'sub', 'and', 'or', 'xor', 'exchange', 'store', 'compareExchange', 'notify'];
const real = Object.fromEntries(METHODS.map((m) => [m, A[m]!]));
let watched = new Set<ArrayBufferLike>();
const touched: string[] = [];
for (const m of METHODS) {
  A[m] = (ta, index, ...rest) => {
    const before = Atomics.load(ta, index);
    const result = real[m]!.call(Atomics, ta, index, ...rest);
    if (watched.has(ta.buffer) && (m === 'notify' || Atomics.load(ta, index) !== before))
      touched.push(`${m}[${index}]`);
    return result;
  };
}
afterAll(() => {
  for (const m of METHODS) A[m] = real[m]!;
});

async function refused(obj: unknown, run: () => unknown) {
  const bufs = buffersOf(obj);
  const before = snapshot(bufs);
  watched = new Set(bufs);
  touched.length = 0;
  let outcome: string;
  try {
    await run();
    outcome = 'returned';
  } catch (e) {
    outcome = (e as Error).name;
  }
  watched = new Set();
  return { outcome, touched: [...touched], same: JSON.stringify(snapshot(bufs)) === JSON.stringify(before) };
}

const BAD = ['soon', Number.NaN, { timeout: '5' }, { timout: 5 }, { block: 'no' }, true];

describe('a refused call leaves the shared words as they were', () => {
  const lock = new Lock();
  lock.acquireSync();
  const rlock = new RLock();
  const sem = new Semaphore(0);
  const bounded = new BoundedSemaphore(1);
  bounded.acquireSync();
  const cond = new Condition(new Lock());
  cond.acquireSync();
  const event = new Event();
  const bar = new Barrier(3);
  const value = new Value('i', 0);
  value.getLock().acquireSync();
  const array = new SharedArray('d', 2);
  array.getLock().acquireSync();
  const empty = new ByteChannel({ capacity: 16, multi: true });
  const full = new ByteChannel({ capacity: 16, multi: true });
  full.writeSync(new Uint8Array(16));
  const bytes = new Uint8Array(8);

  const cases: [string, unknown, (bad: never) => unknown][] = [
    ['Lock.acquireSync', lock, (b) => lock.acquireSync(b)],
    ['Lock.acquire', lock, (b) => lock.acquire(b)],
    ['RLock.acquireSync', rlock, (b) => rlock.acquireSync(b)],
    ['RLock.acquire', rlock, (b) => rlock.acquire(b)],
    ['Semaphore.acquireSync', sem, (b) => sem.acquireSync(b)],
    ['Semaphore.acquire', sem, (b) => sem.acquire(b)],
    ['BoundedSemaphore.acquireSync', bounded, (b) => bounded.acquireSync(b)],
    ['Condition.acquireSync', cond, (b) => cond.acquireSync(b)],
    ['Condition.waitSync', cond, (b) => cond.waitSync(b)],
    ['Condition.wait', cond, (b) => cond.wait(b)],
    ['Condition.waitForSync', cond, (b) => cond.waitForSync(() => false, b)],
    ['Condition.waitFor', cond, (b) => cond.waitFor(() => false, b)],
    ['Event.waitSync', event, (b) => event.waitSync(b)],
    ['Event.wait', event, (b) => event.wait(b)],
    ['Barrier.waitSync', bar, (b) => bar.waitSync(b)],
    ['Barrier.wait', bar, (b) => bar.wait(b)],
    ['Value lock acquireSync', value, (b) => value.getLock().acquireSync(b)],
    ['SharedArray lock acquireSync', array, (b) => array.getLock().acquireSync(b)],
    ['ByteChannel.readSync', empty, (b) => empty.readSync(b)],
    ['ByteChannel.read', empty, (b) => empty.read(b)],
    ['ByteChannel.writeSync', full, (b) => full.writeSync(bytes, b)],
    ['ByteChannel.write', full, (b) => full.write(bytes, b)],
  ];
  for (const [name, obj, run] of cases) {
    it(`${name}() with a bad timeout: ValidationError, nothing touched`, async () => {
      for (const bad of BAD) {
        // `{ block: 'no' }` is a bad block for the acquires and an unknown option elsewhere.
        expect({ bad, ...(await refused(obj, () => run(bad as never))) }).toEqual({
          bad,
          outcome: 'ValidationError',
          touched: [],
          same: true,
        });
      }
    });
  }

  it('the recorder sees writes (a call that is not refused)', async () => {
    const r = await refused(sem, () => sem.release());
    expect(r.outcome).toBe('returned');
    expect(r.touched).toContain('compareExchange[0]');
    expect(r.same).toBe(false);
    expect(sem.tryAcquire()).toBe(true);
  });

  it('notify() and release() with a bad count: ValidationError, nothing touched', async () => {
    for (const bad of [1.5, '2', Number.NaN, -1, null]) {
      expect(await refused(cond, () => cond.notify(bad as never))).toEqual({
        outcome: 'ValidationError',
        touched: [],
        same: true,
      });
      expect(await refused(sem, () => sem.release(bad as never))).toEqual({
        outcome: 'ValidationError',
        touched: [],
        same: true,
      });
    }
    expect(await refused(bounded, () => bounded.release(2))).toEqual({
      outcome: 'LockError',
      touched: [],
      same: true,
    });
  });

  it('Value/SharedArray set with a value or index that does not fit: ValidationError, nothing written', async () => {
    expect(
      await refused(value, () => {
        value.value = 2 ** 31;
      }),
    ).toEqual({ outcome: 'ValidationError', touched: [], same: true });
    expect(await refused(array, () => array.set(2, 1))).toEqual({
      outcome: 'ValidationError',
      touched: [],
      same: true,
    });
    expect(await refused(array, () => array.setSlice(0, [1, 2, 3]))).toEqual({
      outcome: 'ValidationError',
      touched: [],
      same: true,
    });
    expect(await refused(array, () => array.setSlice(0, [1, 'x' as never]))).toEqual({
      outcome: 'ValidationError',
      touched: [],
      same: true,
    });
  });
});
