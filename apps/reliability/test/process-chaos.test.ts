// Bounded process chaos (pipe ends and queue copies held by Processes that die); `pnpm soak` runs more.
import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/report.ts';
import { processChaos } from '../src/suites/process-chaos.ts';

describe.each(['thread', 'process'] as const)('process chaos (%s)', (context) => {
  it('recv() ends with EOFError, nothing arrives twice or out of order, nothing sent is lost', async () => {
    const report = await processChaos(context, { rounds: 3, seed: 14 });
    console.log(formatLine(report));
    expect(report.failures).toEqual([]);
  }, 180_000);
});
