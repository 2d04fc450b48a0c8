// The primitives of both contexts refuse bad arguments the same way, so code moves between
// getContext('thread') (SharedArrayBuffer primitives) and getContext('process') (manager proxies)
// unchanged: a method that waits (acquire, wait, withLock) rejects, every other one throws a
// ValidationError at the call, before anything is done. The process context's `lock.release(1)`,
// `ev.set(1)`, `sem.release(0)` rejected instead: written without `await`, as a release usually is,
// that rejection went unhandled, far from the call.
import { type Context, getContext } from '@multiproc/core';
import { ValidationError } from '@multiproc/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

type Obj = Record<string, (...args: unknown[]) => unknown>;
type Form = 'throws' | 'rejects' | 'accepted';

/** How `call` refused: at the call, as its promise, or not at all; and with what. */
async function refusal(call: () => unknown): Promise<[Form, unknown]> {
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    return ['throws', err];
  }
  if (!(result instanceof Promise)) return ['accepted', result];
  try {
    return ['accepted', await result];
  } catch (err) {
    return ['rejects', err];
  }
}

// [primitive, method, arguments refused, how, make, before (takes what the method needs)]
type Row = [string, string, unknown[], Form, (ctx: Context) => unknown, ((p: Obj) => unknown) | null];
const fn = () => 1;
const take = (p: Obj) => p.acquire!();
const ROWS: Row[] = [
  ...(['Lock', 'RLock'] as const).flatMap((kind): Row[] => [
    [kind, 'release', [1], 'throws', (c) => c[kind](), take],
    [kind, 'locked', [1], 'throws', (c) => c[kind](), null],
    [kind, 'tryAcquire', [1], 'throws', (c) => c[kind](), null],
    [kind, 'acquire', [1000, 1], 'rejects', (c) => c[kind](), null],
    [kind, 'withLock', [fn, 1000, 1], 'rejects', (c) => c[kind](), null],
  ]),
  ...(['Semaphore', 'BoundedSemaphore'] as const).flatMap((kind): Row[] => [
    [kind, 'release', [1, 2], 'throws', (c) => c[kind](2), take],
    [kind, 'release', [0], 'throws', (c) => c[kind](2), take],
    [kind, 'release', [1.5], 'throws', (c) => c[kind](2), take],
    [kind, 'getValue', [1], 'throws', (c) => c[kind](2), null],
    [kind, 'locked', [1], 'throws', (c) => c[kind](2), null],
    [kind, 'acquire', [1000, 1], 'rejects', (c) => c[kind](2), null],
  ]),
  ['Event', 'set', [1], 'throws', (c) => c.Event(), null],
  ['Event', 'clear', [1], 'throws', (c) => c.Event(), null],
  ['Event', 'isSet', [1], 'throws', (c) => c.Event(), null],
  ['Event', 'wait', [0, 1], 'rejects', (c) => c.Event(), null],
  ['Condition', 'release', [1], 'throws', (c) => c.Condition(), take],
  ['Condition', 'locked', [1], 'throws', (c) => c.Condition(), null],
  ['Condition', 'notify', [1, 2], 'throws', (c) => c.Condition(), take],
  ['Condition', 'notifyAll', [1], 'throws', (c) => c.Condition(), take],
  ['Condition', 'acquire', [1000, 1], 'rejects', (c) => c.Condition(), null],
  ['Condition', 'wait', [0, 1], 'rejects', (c) => c.Condition(), take],
  ['Condition', 'waitFor', [fn, 0, 1], 'rejects', (c) => c.Condition(), take],
  ['Barrier', 'reset', [1], 'throws', (c) => c.Barrier(2), null],
  ['Barrier', 'abort', [1], 'throws', (c) => c.Barrier(2), null],
  ['Barrier', 'wait', [1000, 1], 'rejects', (c) => c.Barrier(2), null],
];

const made: Obj[] = [];
afterAll(async () => {
  // Give back what the rows took, so the process context's manager ends with nothing held.
  for (const p of made) if (typeof p.release === 'function') await refusal(() => p.release!());
});

describe.each(matrix(import.meta.url))("getContext('%s')", (name) => {
  const ctx = getContext(name);
  it.each(ROWS)('%s.%s(...%j) %s', { timeout: 20_000 }, async (kind, method, args, form, make, before) => {
    const p = make(ctx) as Obj;
    made.push(p);
    await before?.(p);
    const [got, err] = await refusal(() => p[method]!(...args));
    expect(got, `${name}: ${kind}.${method}(${args.map(String)})`).toBe(form);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('MP_VALIDATION');
    expect((err as Error).message).toContain(`${method}(`);
    // Nothing was done: what `before` took is still held, and it still works.
    if (before) await expect(Promise.resolve(p.release!())).resolves.toBeUndefined();
  });
});
