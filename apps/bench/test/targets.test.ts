import { describe, expect, it } from 'vitest';
import { median } from '../src/harness.js';
import { speedRatio } from '../src/report.js';
import { evaluateTargets } from '../src/targets.js';
import type { CaseResult } from '../src/types.js';

function result(id: string, medianValue: number | undefined, over: Partial<CaseResult> = {}): CaseResult {
  return {
    id,
    suite: 'pool',
    group: 'g',
    title: 't',
    impl: id,
    kind: 'multiproc',
    unit: 'items/s',
    better: 'higher',
    status: medianValue === undefined ? 'pending' : 'ok',
    samples: medianValue === undefined ? [] : [medianValue],
    ...(medianValue === undefined ? {} : { median: medianValue, min: medianValue, max: medianValue }),
    wallMs: 1,
    ...over,
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('speedRatio', () => {
  it('is > 1 when multiproc is faster, for rates and for times', () => {
    expect(speedRatio(result('a', 300), result('b', 100))).toBe(3);
    const ms = { unit: 'ms', better: 'lower' } as const;
    expect(speedRatio(result('a', 50, ms), result('b', 100, ms))).toBe(2);
  });
});

describe('evaluateTargets', () => {
  it('marks a ratio target MET, NOT MET or PENDING', () => {
    const python = result('pool/map/python', 1000, { kind: 'python' });
    const met = evaluateTargets([result('pool/map/multiproc-thread', 1600), python], ['pool']);
    expect(met.find((t) => t.caseId === 'pool/map/multiproc-thread')?.status).toBe('MET');
    const notMet = evaluateTargets([result('pool/map/multiproc-thread', 1400), python], ['pool']);
    expect(notMet.find((t) => t.caseId === 'pool/map/multiproc-thread')?.status).toBe('NOT MET');
    const pending = evaluateTargets([result('pool/map/multiproc-thread', undefined), python], ['pool']);
    expect(pending.find((t) => t.caseId === 'pool/map/multiproc-thread')?.status).toBe('PENDING');
  });

  it('only lists the targets of the suites that ran', () => {
    const targets = evaluateTargets([], ['memory']);
    expect(new Set(targets.map((t) => t.suite))).toEqual(new Set(['memory']));
    expect(targets[0]?.status).toBe('PENDING');
  });
});
