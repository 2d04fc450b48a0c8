// Bounded leak cycles in CI; `pnpm soak` runs 500 and more per suite and reports the RSS slope.
import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/report.ts';
import { leaks } from '../src/suites/leaks.ts';

describe.each(['thread', 'process'] as const)('leaks (%s)', (context) => {
  it.each(['pool', 'process'] as const)(
    '%s create -> use -> terminate cycles leave no handle behind',
    async (kind) => {
      const report = await leaks(kind, context, { rounds: kind === 'pool' ? 3 : 4 });
      console.log(formatLine(report));
      expect(report.failures).toEqual([]);
      expect(report.leaked).toBe(0);
    },
    120_000,
  );
});
