// Bounded pool chaos in CI; `pnpm soak` runs it for minutes (src/soak.ts).
import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/report.ts';
import { poolChaos } from '../src/suites/pool-chaos.ts';

describe.each(['thread', 'process'] as const)('pool chaos (%s)', (context) => {
  it('every call settles (a death may also fail its batch-mates, until #12); nothing runs twice or leaks', async () => {
    const report = await poolChaos(context, { rounds: 6, seed: 14, exact: false });
    console.log(formatLine(report));
    expect(report.failures).toEqual([]);
    expect(report.deaths).toBeGreaterThan(0);
  }, 120_000);
});
