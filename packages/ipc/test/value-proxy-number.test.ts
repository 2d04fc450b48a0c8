// A manager's Value (also getContext('process')'s, a proxy of one) compared or computed with as if it were its
// number (`if (count > 3)`) read NaN from its repr, so the comparison was silently false. It now
// throws ContextError saying to read `await v.get()`; as a string it still gives its repr.
import { ContextError, Manager } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

function refusal(f: () => unknown): ContextError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ContextError);
  expect((err as ContextError).code).toBe('MP_CONTEXT');
  expect((err as Error).message).toContain('await v.get()');
  return err as ContextError;
}

describe("a manager's Value where a number is wanted", () => {
  it('a comparison or arithmetic throws ContextError; String() gives the repr', {
    timeout: 10_000,
  }, async () => {
    const manager = Manager();
    try {
      for (const v of [manager.Value('i', 5), manager.Value('d', 0.5), manager.Value('q', 5n)]) {
        const any = v as any;
        refusal(() => any > 3);
        refusal(() => any * 2);
        refusal(() => +any);
        refusal(() => Math.max(any, 1));
        expect(String(v)).toContain('await v.get()');
        expect(`${v}`).toBe(String(v));
      }
      const v = manager.Value('i', 5);
      expect((await v.get()) > 3).toBe(true);
    } finally {
      await manager.shutdown();
    }
  });
});
