// The adaptive chunk sizer (issue 18): what a call's one-item first chunk may change.
import { describe, expect, it } from 'vitest';
import { AdaptiveChunks, adaptiveSize, coverMs } from '../src/pool/chunks.js';

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

describe('coverMs and adaptiveSize (an ordered call behind a slow chunk)', () => {
  it('asks half the longest chunk of each chunk with 2 workers and 4 chunks ahead', () => {
    expect(coverMs(150, 2, 4)).toBe(75);
    expect(coverMs(150, 4, 8)).toBe(112.5);
    // A window no larger than the pool: each chunk must cover the whole of it.
    expect(coverMs(150, 2, 2)).toBe(150);
  });

  it('lengthens a chunk to the cover, within Python size and the tail cap', () => {
    const sizer = new AdaptiveChunks();
    sizer.record(10, 20); // 2 ms an item: 5 a chunk
    expect(adaptiveSize(sizer, 1000, 0, 2, 0)).toBe(5);
    expect(adaptiveSize(sizer, 1000, 0, 2, 75)).toBe(38);
    expect(adaptiveSize(sizer, 200, 0, 2, 75)).toBe(25); // Python's size, ceil(200 / 8)
    expect(adaptiveSize(sizer, 1000, 960, 2, 75)).toBe(10); // a fourth of the 40 left
  });
});
