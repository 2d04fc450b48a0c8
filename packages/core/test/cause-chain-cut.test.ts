// A thrown error whose cause chain is too deep to rebuild on the caller's side arrives cut where the
// 1000-level limit is met: every cause that fits, of its class, then a SerializationError whose
// path names the cut and whose message says how many errors were left out. The whole tail was
// replaced at the ninth cause before: a chain of 1,010 arrived with 9 causes, one of 1,008 whole.
// One worker; CI runs the context the file's name picks.
import { Pool, SerializationError } from '@multiproc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/error-chain-tasks.mjs';

/** The chain from `err` down: each error, and what ends it. */
function chainOf(err: unknown): { links: Error[]; end: unknown } {
  const links: Error[] = [];
  let at = err;
  while (at instanceof Error) {
    links.push(at);
    at = at.cause;
  }
  return { links, end: at };
}

describe.each(matrix(import.meta.url))('a thrown cause chain too deep to send, %s pool', (context) => {
  const pool = new Pool({ processes: 1, context });
  afterAll(() => pool.terminate());

  it('arrives cut where the limit is met, a SerializationError standing in for the rest', {
    timeout: 30_000,
  }, async () => {
    const { links, end } = chainOf(await pool.apply(tasks.throwChain, [1500]).catch((e: unknown) => e));
    expect(end).toBeUndefined();
    const standIn = links.at(-1) as SerializationError;
    const kept = links.slice(0, -1);
    // Near the limit: not cut at the top of the part the codec sends (the ninth cause).
    expect(kept.length).toBeGreaterThan(990);
    expect(kept.every((e, i) => e instanceof RangeError && e.message === `e${1499 - i}`)).toBe(true);
    expect(standIn).toBeInstanceOf(SerializationError);
    expect(standIn.code).toBe('MP_SERIALIZATION');
    expect(standIn.path).toBe(`error${'.cause'.repeat(kept.length)}`);
    // 1,501 errors in all: those kept, and those it stands in for.
    expect(standIn.message).toContain(`stands in for the ${1501 - kept.length} errors left out`);
  });

  it.each<[string, { assigned?: boolean; holding?: boolean }]>([
    ['its causes set as fields (e.cause = c)', { assigned: true }],
    ['each link holding another error in a field', { holding: true }],
  ])('arrives cut at the limit too with %s', { timeout: 30_000 }, async (_, how) => {
    // Both arrived cut at the ninth cause: the copies kept the own field 'cause' (the whole tail
    // again), and a limit met in a link's field ('.cause….inner') was not taken for the chain's.
    const thrown = await pool.apply(tasks.throwChainAs, [1500, how]).catch((e: unknown) => e);
    const { links, end } = chainOf(thrown);
    expect(end).toBeUndefined();
    const kept = links.slice(0, -1);
    expect(kept.length).toBeGreaterThan(990);
    expect(kept.every((e, i) => e instanceof RangeError && e.message === `e${1499 - i}`)).toBe(true);
    expect(links.at(-1)).toBeInstanceOf(SerializationError);
    expect(links.at(-1)!.message).toContain(`stands in for the ${1501 - kept.length} errors left out`);
    if (how.holding) expect((thrown as { inner?: unknown }).inner).toEqual(new TypeError('in1499'));
  });

  it('arrives cut at the limit too with a plain object { cause } among its links', {
    timeout: 30_000,
  }, async () => {
    // It arrived cut at the ninth cause: only errors were copied down to the cut.
    let at = await pool.apply(tasks.throwChainAs, [1500, { plainAt: 1000 }]).catch((e: unknown) => e);
    const kept: unknown[] = [];
    while (at instanceof Error || (typeof at === 'object' && at !== null && 'cause' in at)) {
      kept.push(at);
      at = (at as { cause: unknown }).cause;
    }
    expect(kept.length).toBeGreaterThan(990);
    expect(kept[500]).toEqual({ cause: kept[501], note: 'plain' });
    expect(kept[499]).toBeInstanceOf(RangeError);
    expect(kept.at(-1)).toBeInstanceOf(SerializationError);
  });

  it('a chain that fits arrives whole', { timeout: 30_000 }, async () => {
    const { links } = chainOf(await pool.apply(tasks.throwChain, [900]).catch((e: unknown) => e));
    expect(links).toHaveLength(901);
    expect(links.at(-1)!.message).toBe('leaf');
  });
});
