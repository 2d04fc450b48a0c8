// The cheap representative cases of wait-exit-53.test.ts (see there), for the CI tier: waits inside a
// worker thread on shared memory that only it (and the workers it started, now gone) could change,
// which once held the worker open for ever; a pool task's such wait; and waits in the main thread
// whose satisfier was killed or returned.
import { describe, it } from 'vitest';
import { all, CI_CASES, checkCase } from './wait-exit-53-kit.ts';

const chosen = all.filter(([n, c]) => CI_CASES.includes(`${n} ${c}`));

describe.concurrent('a pending wait that nothing can end any more settles, and the program ends', () => {
  it.for(chosen)('%s (%s context)', { timeout: 40_000 }, async ([which, context], { expect }) => {
    await checkCase(which, context, expect);
  });
});
