// The one rule by which a 'beforeExit' verdict (a daemon's SIGTERM at program end, a pool task that
// can never settle) sees that another listener gave the loop work: some kind of resource is listed
// more often than in the stock taken as the loop ran dry. All synchronous: nothing else can run.
import { describe, expect, it } from 'vitest';
import { gotWorkSince, ifLoopStaysDry, takeLoopStock } from '../src/internal/loop-work.js';

describe('gotWorkSince', () => {
  it("sees a ref'd timer, an immediate and a request, not an unref'd timer", () => {
    const stock = takeLoopStock();
    expect(gotWorkSince(stock)).toBe(false);
    const unref = setTimeout(() => {}, 1000).unref();
    expect(gotWorkSince(stock)).toBe(false);
    clearTimeout(unref);
    const timer = setTimeout(() => {}, 1000);
    expect(gotWorkSince(stock)).toBe(true);
    clearTimeout(timer);
    expect(gotWorkSince(stock)).toBe(false);
    const immediate = setImmediate(() => {});
    expect(gotWorkSince(stock)).toBe(true);
    clearImmediate(immediate);
    expect(gotWorkSince(stock)).toBe(false);
  });

  it('counts kinds, not a total: one resource gone and another added is still work', () => {
    const listed = setTimeout(() => {}, 1000);
    try {
      const stock = takeLoopStock();
      clearTimeout(listed);
      expect(gotWorkSince(stock)).toBe(false);
      const immediate = setImmediate(() => {});
      // As many resources as in the stock, but an Immediate it did not have.
      expect(gotWorkSince(stock)).toBe(true);
      clearImmediate(immediate);
    } finally {
      clearTimeout(listed);
    }
  });

  it('sees no work where the runtime cannot tell', () => {
    const timer = setTimeout(() => {}, 1000);
    expect(gotWorkSince(undefined)).toBe(false);
    clearTimeout(timer);
  });
});

describe('ifLoopStaysDry', () => {
  it('gives the verdict after the current task only if nothing was scheduled meanwhile', async () => {
    const verdicts: string[] = [];
    let stock = takeLoopStock();
    ifLoopStaysDry(stock, () => verdicts.push('dry'));
    // Scheduled after the call, before the microtask: the verdict is withheld.
    const timer = setTimeout(() => {}, 1000);
    await Promise.resolve();
    expect(verdicts).toEqual([]);
    clearTimeout(timer);
    stock = takeLoopStock();
    ifLoopStaysDry(stock, () => verdicts.push('dry'));
    expect(verdicts).toEqual([]);
    await Promise.resolve();
    expect(verdicts).toEqual(['dry']);
  });
});
