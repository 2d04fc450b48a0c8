// Bounded fuzzed round trips in CI (fixed seed); `pnpm soak` runs thousands.
import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/report.ts';
import { fuzzRoundTrips } from '../src/suites/fuzz.ts';

describe.each(['thread', 'process'] as const)('fuzzed round trips (%s)', (context) => {
  it('any structured-cloneable value comes back equal through a Pipe, a Queue and a pool task', async () => {
    const report = await fuzzRoundTrips(context, { rounds: 40, seed: 14 });
    console.log(formatLine(report));
    expect(report.failures).toEqual([]);
    expect(report.rounds).toBe(40);
  }, 120_000);
});
