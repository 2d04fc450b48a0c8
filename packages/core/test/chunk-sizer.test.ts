// The adaptive chunk sizer (issue 18): what a call's one-item first chunk may change.
import { describe, expect, it } from 'vitest';
import { AdaptiveChunks } from '../src/pool/chunks.js';

describe('AdaptiveChunks.probe', () => {
  it('learns from a probe when nothing was learned yet', () => {
    const sizer = new AdaptiveChunks();
    sizer.probe(5);
    expect(sizer.next()).toBe(2);
  });

  it('keeps a size learned from cheap items when one item measures only noise', () => {
    const sizer = new AdaptiveChunks();
    sizer.record(12_500, 1); // 0.08 us an item: the size is at its maximum
    sizer.probe(0.05); // one item of the same task, 50 us of fixed cost and scheduling
    expect(sizer.next()).toBe(16_384);
  });

  it('keeps the learned average when one item of an uneven input is near it', () => {
    const sizer = new AdaptiveChunks();
    sizer.record(8, 10); // 1.25 ms an item: 8 a chunk
    sizer.probe(6); // a chunk of 8 such items would take 48 ms: within the slack
    expect(sizer.next()).toBe(8);
  });

  it('shrinks the size at once when the first item is far heavier than the learned ones', () => {
    const sizer = new AdaptiveChunks();
    sizer.record(63, 3); // the smallest files, at the end of the last call: 210 a chunk
    sizer.probe(50); // the biggest file first: 210 of them would take 10 s
    expect(sizer.next()).toBe(1);
  });
});
