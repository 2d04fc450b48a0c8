// Bounded queue and pipe integrity with workers dying mid-stream; `pnpm soak` runs hundreds of rounds.
import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/report.ts';
import { pipeIntegrity, queueIntegrity } from '../src/suites/integrity.ts';

describe.each(['thread', 'process'] as const)('integrity (%s)', (context) => {
  it('queue: every item is received exactly once, or is the one the dead consumer held', async () => {
    const report = await queueIntegrity(context, { rounds: 2, seed: 14 });
    console.log(formatLine(report));
    expect(report.failures).toEqual([]);
  }, 180_000);

  it('pipe: every value arrives once, in order per producer, also from producers that exit', async () => {
    const report = await pipeIntegrity(context, { rounds: 2, seed: 14 });
    console.log(formatLine(report));
    expect(report.failures).toEqual([]);
  }, 180_000);
});
