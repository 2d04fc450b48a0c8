// A manager method's error whose field or cause holds, inside a plain object or array, an error
// with one unsendable part (`cause: { inner: err }`, `err.onDone` a function) keeps that inner
// error's sendable parts, exactly as a pool task's thrown error keeps them (shared's error
// records): only `onDone` stands in, as the SerializationError naming it. The manager replaced the
// whole inner error by a SerializationError.
import { BaseManager, SerializationError } from '@multiproc/ipc';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { core } from './core.js';

const { tasks, InnerThrower, CASES } = await import(
  new URL('./fixtures/inner-error-parts.mjs', import.meta.url).href
);
const names = Object.keys(CASES);

let pool: any;
let manager: BaseManager;
let thrower: { throwCase(name: string): Promise<never> };
beforeAll(async () => {
  pool = new core.Pool({ processes: 1, context: 'thread' });
  manager = new BaseManager();
  manager.register('InnerThrower', InnerThrower);
  await manager.start();
  thrower = (await manager.create('InnerThrower')) as never;
});
afterAll(async () => {
  await pool?.terminate();
  await manager?.shutdown();
});

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => e,
  );

/** What arrived, comparable across the two: classes, messages, fields, stand-ins by path. */
function shape(v: unknown, seen = new Map<object, string>(), at = 'error'): unknown {
  if (typeof v !== 'object' || v === null) return typeof v === 'function' ? 'a function' : v;
  if (seen.has(v)) return `same as ${seen.get(v)}`;
  seen.set(v, at);
  if (v instanceof SerializationError) return { standIn: v.path };
  const out: Record<string, unknown> = {};
  if (v instanceof Error) Object.assign(out, { class: v.constructor.name, message: v.message });
  for (const key of Object.keys(v)) out[key] = shape((v as any)[key], seen, `${at}.${key}`);
  if (v instanceof Error && 'cause' in v) out.cause = shape(v.cause, seen, `${at}.cause`);
  return out;
}

it('the inner error keeps its sendable parts; only the bad one stands in', { timeout: 30_000 }, async () => {
  const err = (await rejection(thrower.throwCase('causeInner'))) as any;
  const inner = err.cause.inner;
  expect(inner).toBeInstanceOf(TypeError);
  expect([inner.message, inner.code, inner.url]).toEqual(['in cause', 'E_INNER', '/x']);
  expect(inner.onDone).toBeInstanceOf(SerializationError);
  expect(inner.onDone.path).toBe('error.cause.inner.onDone');
});

it.each(names)('%s: the same parts as a pool task error keeps', { timeout: 30_000 }, async (name) => {
  const fromPool = await rejection(pool.apply(tasks.throwCase, [name]));
  const fromManager = await rejection(thrower.throwCase(name));
  expect(shape(fromManager)).toEqual(shape(fromPool));
});
