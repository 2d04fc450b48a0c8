// Bounded pool chaos in CI, held to the contract's exact failure semantics: only the call whose
// task was running dies; calls batched with it run elsewhere. `pnpm soak --exact` runs it for minutes.
import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/report.ts';
import { poolChaos } from '../src/suites/pool-chaos.ts';

describe.each(['thread', 'process'] as const)('pool chaos (%s)', (context) => {
  it('only calls with a deadly item of their own fail; nothing runs twice or leaks', async () => {
    const report = await poolChaos(context, { rounds: 6, seed: 14, exact: true });
    console.log(formatLine(report));
    expect(report.failures).toEqual([]);
    expect(report.deaths).toBeGreaterThan(0);
  }, 120_000);
});
