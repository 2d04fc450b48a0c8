import { MessageChannel, Worker } from 'node:worker_threads';
import {
  Barrier,
  BoundedSemaphore,
  ByteChannel,
  Condition,
  decodeValue,
  Event,
  encodeValue,
  Lock,
  RawArray,
  RawValue,
  RLock,
  refuseStructuredClone,
  Semaphore,
  SharedArray,
  Value,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

// Each shared class with the words its DataCloneError must quote.
const made: [string, () => object][] = [
  ['a Lock', () => new Lock()],
  ['an RLock', () => new RLock()],
  ['a Semaphore', () => new Semaphore(2)],
  ['a BoundedSemaphore', () => new BoundedSemaphore(2)],
  ['an Event', () => new Event()],
  ['a Condition', () => new Condition()],
  ['a Barrier', () => new Barrier(2)],
  ['a ByteChannel', () => new ByteChannel()],
  ['a Value', () => new Value('i', 0)],
  ['a RawValue', () => new RawValue('d', 1.5)],
  ['a SharedArray', () => new SharedArray('i', 3)],
  ['a RawArray', () => new RawArray('i', [1, 2])],
];

function cloneError(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the clone to throw');
}

describe('a shared object sent by structured clone without encodeValue()', () => {
  it.each(made)('structuredClone refuses %s and says to use encodeValue()', (what, make) => {
    const err = cloneError(() => structuredClone({ nested: [make()] }));
    expect(err.name).toBe('DataCloneError');
    expect(err.message).toContain(what);
    expect(err.message).toContain('encodeValue(');
  });

  it('MessagePort.postMessage throws at the sender instead of delivering an empty object', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const err = cloneError(() => port1.postMessage({ lock: new Lock() }));
      expect(err.name).toBe('DataCloneError');
      expect(err.message).toContain('a Lock cannot be posted as itself');
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('a plain Worker given a Value in workerData fails at new Worker(), before any thread starts', () => {
    const url = new URL('./fixtures/empty.mjs', import.meta.url);
    const err = cloneError(() => new Worker(url, { workerData: { counter: new Value('i', 0) } }));
    expect(err.name).toBe('DataCloneError');
    expect(err.message).toContain('a Value cannot be posted as itself');
  }, 10_000);

  it('objects rebuilt by decodeValue() are guarded too', () => {
    const { counter } = decodeValue(
      encodeValue({ counter: new Value('i', 7) }, 'thread').value,
      'thread',
    ) as {
      counter: Value<'i'>;
    };
    expect(counter.value).toBe(7);
    expect(cloneError(() => structuredClone(counter)).name).toBe('DataCloneError');
  });

  it('encodeValue() still sends them: the guard never reaches the clone', () => {
    const { value } = encodeValue({ lock: new Lock(), arr: new SharedArray('i', [4, 5]) }, 'thread');
    const copy = decodeValue(structuredClone(value), 'thread') as { lock: Lock; arr: SharedArray<'i'> };
    expect(copy.lock).toBeInstanceOf(Lock);
    expect(copy.arr.get(1)).toBe(5);
  });

  it('the guard is an enumerable field on purpose: structured clone skips a hidden one', () => {
    for (const [, make] of made) {
      const obj = make();
      expect(Object.getOwnPropertyDescriptor(obj, 'multiproc')?.enumerable).toBe(true);
      expect(typeof (obj as Record<string, unknown>).multiproc).toBe('symbol');
    }
    // The same guard, made non-enumerable, lets the clone through as an empty object: no error.
    const hidden = new Lock();
    Object.defineProperty(hidden, 'multiproc', { enumerable: false });
    expect(structuredClone({ lock: hidden })).toEqual({ lock: {} });
    const { port1, port2 } = new MessageChannel();
    try {
      expect(() => port1.postMessage(hidden)).not.toThrow();
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('two objects of one class stay deep-equal, and JSON.stringify is unchanged', () => {
    expect(new Event()).toStrictEqual(new Event());
    expect(JSON.stringify(new Lock())).toBe('{}');
  });

  it('refuseStructuredClone() guards a class of the user', () => {
    class Counter {
      readonly #view = new Int32Array(new SharedArrayBuffer(4));
      constructor() {
        refuseStructuredClone(this, 'a Counter');
      }
      get count(): number {
        return this.#view[0] ?? 0;
      }
    }
    expect(new Counter().count).toBe(0);
    expect(cloneError(() => structuredClone(new Counter())).message).toContain('a Counter cannot be posted');
  });
});
