// What the ports of CPython's multiprocessing tests (cpython-port-*.test.ts) share: the two
// contexts and the pools of report-helpers.ts, Processes killed and queues closed after each test,
// the loosely typed factories of both of Python's forms, and a few small helpers of Python's.
import mp, { type BaseProxy, ClosedError, getContext, type Process, Queue } from '@multiproc/multiproc';
import { afterEach } from 'vitest';
import type { Context } from './report-helpers.ts';

export { CONTEXTS, type Context, poolsEndedAfterEach } from './report-helpers.ts';

type Target = Parameters<typeof mp.Process>[0]['target'];

/**
 * Returns `start(context, target, args)`, which makes and starts a Process (with `options`, such as
 * `{ daemon: true }`), and `killAfterTest(p)`, which hands a Process made otherwise to the same
 * cleanup: after each test of the calling file, every one of them that still runs is killed (one a
 * test closed is left alone). Call it at a test file's top level. After-each hooks run
 * last-registered first, so call it after the other cleanups for the Processes to end first.
 */
export function processesKilledAfterEach(options: { daemon?: boolean } = {}): {
  start: (context: Context, target: Target, args: unknown[]) => Process;
  killAfterTest: (p: Process) => void;
} {
  const processes: Process[] = [];
  afterEach(() => {
    for (const p of processes.splice(0)) {
      try {
        if (p.isAlive()) p.kill();
      } catch (err) {
        if (!(err instanceof ClosedError)) throw err; // a test closed it
      }
    }
  });
  const killAfterTest = (p: Process): void => {
    processes.push(p);
  };
  const start = (context: Context, target: Target, args: unknown[]): Process => {
    const p = new mp.Process({ target, args, context, ...options });
    killAfterTest(p);
    p.start();
    return p;
  };
  return { start, killAfterTest };
}

/**
 * Returns `queue(options)`, which makes a Queue, and `closeAfterTest(q)`, which hands a queue made
 * otherwise (a JoinableQueue, a SimpleQueue, a context's Queue) to the same cleanup: every one is
 * closed after each test of the calling file. Call it at a test file's top level.
 */
export function queuesClosedAfterEach(): {
  queue: <T>(options?: ConstructorParameters<typeof Queue<T>>[0]) => Queue<T>;
  closeAfterTest: (q: { close(): void }) => void;
} {
  const queues: { close(): void }[] = [];
  afterEach(() => {
    for (const q of queues.splice(0)) q.close();
  });
  const closeAfterTest = (q: { close(): void }): void => {
    queues.push(q);
  };
  const queue = <T>(options?: ConstructorParameters<typeof Queue<T>>[0]): Queue<T> => {
    const q = new Queue<T>(options);
    closeAfterTest(q);
    return q;
  };
  return { queue, closeAfterTest };
}

/** What these tests call, typed loosely: a shared object or a proxy. */
export type Loose = Record<string, (...args: unknown[]) => unknown> & { readonly value?: unknown };
export type Factory = (...args: unknown[]) => Loose;

/**
 * The factories of one of Python's forms: `'shared'` (shared memory, the thread context's) or
 * `'manager'` (the manager's proxies, the process context's).
 */
export function factories(form: string): Record<string, Factory> {
  return getContext(form === 'shared' ? 'thread' : 'process') as unknown as Record<string, Factory>;
}

/** Python's `range(n)`: 0 to n - 1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Python's `bytes(s, 'latin')` for the ASCII strings of these tests (UTF-8 here), and back. */
export const latin = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Python's `FooBar` of _TestMyManager: `f()` answers, `g()` throws, `_h()` is private by name. */
export class FooBar {
  f(): string {
    return 'f()';
  }
  g(): never {
    throw new RangeError('g'); // Python: ValueError
  }
  _h(): string {
    return '_h()';
  }
}

/** A proxy of a {@link FooBar} that a manager serves: each method answers asynchronously. */
export type FooBarProxy = { f(): Promise<string>; g(): Promise<never>; _h(): Promise<string> } & BaseProxy;
