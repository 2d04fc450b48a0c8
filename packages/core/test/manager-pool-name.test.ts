// Python's `SyncManager.Pool` (`m.Pool(4)`) read as `undefined` on a started manager of either
// context, so `m.Pool(4)` failed with "m.Pool is not a function". It now throws ValidationError
// saying to make a Pool of the package (with the import line); a manager registered with 'Pool'
// gets that method instead (packages/ipc/test/manager-typeid-methods.test.ts).
import { getContext, ValidationError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';

describe.each(['thread', 'process'] as const)("a %s context's Manager()", (name) => {
  it("names a Pool of the package for Python's manager.Pool", { timeout: 20_000 }, async () => {
    const m = getContext(name).Manager();
    try {
      const read = () => (m as unknown as { Pool: unknown }).Pool;
      expect(read).toThrow(ValidationError);
      expect(read).toThrow(/import \{ Pool \} from '@multiproc\/multiproc'/);
      expect(read).toThrow(/new Pool\(/);
      const err = (() => {
        try {
          read();
        } catch (e) {
          return e as ValidationError;
        }
      })();
      expect(err?.code).toBe('MP_VALIDATION');
      // A manager's Pool method of its own, registered as Python's register('Pool', ...) adds it.
      const own = getContext(name)
        .Manager()
        .register('Pool', (n: number) => ({ size: () => n }));
      try {
        expect(await (await own.Pool(2)).size()).toBe(2);
      } finally {
        await own.shutdown();
      }
      expect(read).toThrow(ValidationError); // the other manager is not changed
    } finally {
      await m.shutdown();
    }
  });
});
