// An error returned as a value too deep to send is refused naming its path in the program's value
// (`result.cause.cause…`, `result.tree.n.n…`). Before, the path was the wire's own steps to it:
// `result<data>.cause.__errorRecord.cause.__errorRecord…`, and said nothing of why a cause chain of
// 600 errors is past the 1000-level limit (each error travels as two levels).
import { Pool, SerializationError } from '@multiproc/core';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/error-chain-tasks.mjs';

const WIRE_STEPS = /<data>|<error>|__errorRecord|\.props\b/;

describe.each(['thread', 'process'] as const)('a returned error too deep to send, %s pool', (context) => {
  const pool = new Pool({ processes: 1, context });
  afterAll(() => pool.terminate());

  it('a cause chain is named by its causes, counting two levels an error', { timeout: 30_000 }, async () => {
    const err = await pool.apply(tasks.chain, [600]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    const { message, path } = err as SerializationError & { path: string };
    expect(path).toMatch(/^result(\.cause)+$/);
    expect(message).toMatch(/^Cannot send result\.cause\.cause\.cause… \(\.cause \d+ times\): /);
    expect(message).toContain('an error in it counts as two levels');
    expect(message).not.toMatch(WIRE_STEPS);
  });

  it("a field's deep value is named from the field", { timeout: 30_000 }, async () => {
    const err = await pool.apply(tasks.deepField, [1200]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as Error).message).toMatch(/^Cannot send result\.tree\.n\.n\.n… /);
    expect((err as Error).message).not.toMatch(WIRE_STEPS);
  });
});
