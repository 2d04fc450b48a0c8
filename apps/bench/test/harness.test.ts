import { describe, expect, it } from 'vitest';
import { runCase, sampleRuns } from '../src/harness.js';
import { QUICK_SIZES } from '../src/sizes.js';
import { casesOf } from '../src/suites/index.js';
import { type BenchCase, SUITES } from '../src/types.js';

describe('sampleRuns', () => {
  it('takes the warm-up samples first and keeps only the runs after them', async () => {
    const seen: number[] = [];
    const samples = await sampleRuns({ runs: 3, warmup: 2 }, async (run) => {
      seen.push(run);
      return run * 10;
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]); // one index per sample, warm-up included: usable as an id
    expect(samples).toEqual([20, 30, 40]);
  });

  it('takes no warm-up sample when the plan says 0', async () => {
    const samples = await sampleRuns({ runs: 2, warmup: 0 }, async (run) => run + 1);
    expect(samples).toEqual([1, 2]);
  });
});

describe('runCase', () => {
  const probe = (over: Partial<BenchCase>): BenchCase => ({
    id: 'x/y/z',
    suite: 'ipc',
    group: 'x.y',
    title: 't',
    impl: 'i',
    kind: 'baseline',
    unit: 'ms',
    better: 'lower',
    measure: async ({ runs, warmup }) => ({ samples: await sampleRuns({ runs, warmup }, async (r) => r) }),
    ...over,
  });
  const ctx = { runs: 2, warmup: 1, quick: false, sizes: QUICK_SIZES };

  it('hands the run warm-up to a case and records it in the result', async () => {
    const r = await runCase(probe({}), ctx);
    expect(r.status).toBe('ok');
    expect(r.warmup).toBe(1);
    expect(r.samples).toEqual([1, 2]);
  });

  it('hands no warm-up to a case that says why it takes none', async () => {
    const r = await runCase(probe({ noWarmup: 'cold on purpose' }), ctx);
    expect(r.warmup).toBe(0);
    expect(r.samples).toEqual([0, 1]);
  });

  it('says what a case past its --quick bound was doing (its own bound, when it sets one)', async () => {
    const stuck = probe({
      quickTimeoutMs: 50,
      stage: () => 'starting 2 multiproc-worker processes',
      measure: () => new Promise(() => {}),
    });
    const r = await runCase(stuck, { ...ctx, quick: true });
    expect(r.status).toBe('error');
    expect(r.note).toBe('Error: x/y/z took longer than 50 ms, while starting 2 multiproc-worker processes');
  });
});

describe('the suites', () => {
  it('give every case of a group the same warm-up rule, so rows compare like with like', () => {
    const byGroup = new Map<string, Set<boolean>>();
    for (const c of SUITES.flatMap(casesOf)) {
      const rules = byGroup.get(c.group) ?? new Set<boolean>();
      rules.add(c.noWarmup === undefined);
      byGroup.set(c.group, rules);
    }
    const mixed = [...byGroup].filter(([, rules]) => rules.size > 1).map(([g]) => g);
    expect(byGroup.size).toBeGreaterThan(10);
    expect(mixed).toEqual([]);
  });
});
