/**
 * The shapes and helpers of the cases in cases.ts: the pool type both sides offer, a case, and how
 * an outcome is described.
 */
import { type Pool as LocalPool, ProcessError } from '@multiproc/core';

/** What both pools offer (the BullMQ pool is typed against the local pool's interface). */
export type AnyPool = Pick<
  LocalPool,
  | 'apply'
  | 'applyAsync'
  | 'map'
  | 'mapAsync'
  | 'starmap'
  | 'starmapAsync'
  | 'imap'
  | 'imapUnordered'
  | 'close'
  | 'join'
  | 'terminate'
  | 'stats'
  | typeof Symbol.asyncDispose
>;

export interface Case {
  readonly name: string;
  /** Runs on a pool of its own (it closes or terminates it). */
  readonly fresh?: boolean;
  /**
   * Where the local pool does not meet the contract yet, the case only checks that the BullMQ pool
   * (whose workers run tasks on a local pool) observes the same; the text says what is missing.
   */
  readonly localGap?: string;
  run(pool: AnyPool): Promise<unknown>;
  readonly expected: unknown;
}

/** An error as the cases compare it: class, name, message and the fields that travel. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { thrown: error };
  const e = error as Error & Record<string, unknown>;
  return {
    class: e.constructor.name,
    name: e.name,
    message: e.message,
    processError: e instanceof ProcessError,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...('cause' in e ? { cause: e.cause instanceof Error ? describeError(e.cause) : e.cause } : {}),
    ...(Array.isArray(e.errors) ? { errors: e.errors.map(describeError) } : {}),
    ...(e.extra !== undefined ? { extra: e.extra } : {}),
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
    ...(typeof e.path === 'string' ? { path: e.path } : {}),
  };
}

/** `{ ok, value }` or `{ ok: false, error }` of a promise. */
export async function outcome(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/** `{ threw }` when `fn` throws at once, else `{ returned: typeof }`. */
export function sync(fn: () => unknown): unknown {
  try {
    const r = fn() as { catch?: (f: () => void) => void };
    r?.catch?.(() => {});
    return { returned: typeof r };
  } catch (error) {
    return { threw: describeError(error) };
  }
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
export function* count(n = Number.POSITIVE_INFINITY, onEnd?: () => void) {
  try {
    for (let i = 0; i < n; i++) yield i;
  } finally {
    onEnd?.();
  }
}
export async function collect<T>(
  it: AsyncIterable<T>,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ values: T[]; error?: unknown }> {
  const values: T[] = [];
  try {
    for await (const v of it) {
      values.push(v);
      if (values.length >= limit) break;
    }
    return { values };
  } catch (error) {
    return { values, error: describeError(error) };
  }
}
export const rangeError = (message: string) => ({
  class: 'RangeError',
  name: 'RangeError',
  message,
  processError: false,
});
export const closed = {
  class: 'PoolClosedError',
  name: 'PoolClosedError',
  processError: true,
  code: 'MP_POOL_CLOSED',
};
