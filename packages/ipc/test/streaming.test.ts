// A copy whose consumer drains what it read ahead, get after get, in one turn: it asks the home for
// more once half its window is used, and sends that demand at once, not at the end of the turn
// (which such a consumer reaches only when its buffer is empty: producer and consumer then work in
// turns). The protocol core alone, no threads.
import { describe, expect, it } from 'vitest';
import { CopyProtocol } from '../src/internal/protocol/copy.js';
import type { Wait } from '../src/internal/protocol/home-copy.js';
import type { Item } from '../src/internal/protocol/item.js';
import { Op } from '../src/internal/protocol/ops.js';
import {
  FIRST_CALM_MS,
  MAX_CALM_MS,
  MAX_WINDOW,
  SHARED_WINDOW,
} from '../src/internal/protocol/receiver-demand.js';

interface Demand {
  hard: number;
  soft: number;
}

function streamingCopy() {
  const demands: Demand[] = [];
  // How many items were buffered each time the copy asked for an immediate flush.
  const flushedWith: number[] = [];
  const copy: CopyProtocol = new CopyProtocol(
    { maxsize: 0, acked: false, eager: false, moves: false },
    {
      send: (op, a, b) => {
        if (op === Op.R_DEMAND) demands.push({ hard: a, soft: b });
      },
      settle: (w: Wait) => {
        w.done = true;
      },
      hold: () => {},
      ready: () => {},
      consumed: () => {},
      flushNow: () => flushedWith.push(copy.buffered),
    },
  );
  let next = 0;
  // The home answers every demand so far: one item per waiting get (tag 1), the rest read ahead.
  const answer = (): void => {
    for (const d of demands.splice(0)) {
      for (let i = 0; i < d.hard; i++) copy.frame(Op.H_DATA, 0, 1, { value: next++ } as Item);
      for (let i = 0; i < d.soft; i++) copy.frame(Op.H_DATA, 0, 0, { value: next++ } as Item);
    }
  };
  return { copy, demands, flushedWith, answer };
}

describe('a streaming queue copy', () => {
  it('asks for the next half window while half is still buffered, and flushes that at once', () => {
    const { copy, demands, flushedWith, answer } = streamingCopy();
    // Gets that wait while the consumer keeps up grow the window (1, 2, 4, … items ahead).
    for (let round = 0; round < 8; round++) {
      while (copy.buffered > 0) copy.get(null);
      const w: Wait = { done: false };
      expect(copy.get(w)).toBeUndefined();
      answer();
      expect(w.done).toBe(true);
    }
    demands.length = 0;
    flushedWith.length = 0;
    const held = copy.buffered;
    expect(held).toBeGreaterThanOrEqual(16);
    // Now the consumer takes what is buffered, get after get, with no turn ending between them.
    let taken = 0;
    while (copy.buffered > 0 && demands.length === 0) {
      expect(copy.get(null)).toBeDefined();
      taken++;
    }
    expect(demands).toHaveLength(1);
    expect(demands[0]!.hard).toBe(0);
    expect(demands[0]!.soft).toBeGreaterThanOrEqual(held / 2 - 1);
    expect(taken).toBeLessThanOrEqual(held / 2 + 1);
    // Sent at once, with about half the window still here to work on.
    expect(flushedWith).toHaveLength(1);
    expect(flushedWith[0]).toBeGreaterThanOrEqual(held / 2 - 1);
    // The refill arrives and the stream goes on without a get ever waiting.
    answer();
    for (let i = 0; i < 100 && copy.buffered > 0; i++) {
      expect(copy.get(null)).toBeDefined();
      answer();
    }
    expect(copy.buffered).toBeGreaterThan(0);
  });

  it('asks for nothing more once a consumer stops streaming (window 0 after a give-back)', () => {
    const { copy, demands, flushedWith, answer } = streamingCopy();
    for (let round = 0; round < 4; round++) {
      while (copy.buffered > 0) copy.get(null);
      copy.get({ done: false });
      answer();
    }
    expect(copy.giveBack()).toBe(true);
    demands.length = 0;
    flushedWith.length = 0;
    expect(copy.get(null)).toBeUndefined();
    expect(demands).toHaveLength(0);
    expect(flushedWith).toHaveLength(0);
  });

  it('reads nothing ahead for a while after a recall, and longer when recalls keep coming', () => {
    // Two consumers share the queue: what one reads ahead the home recalls for the other. Reading
    // ahead again at once would bring the same recall for every item (measured: 2 producers x 2
    // consumer threads moved 2k items/s with a recall per item, 7k without).
    const { copy, demands, answer } = streamingCopy();
    let now = 1000;
    const waitingGet = (): void => {
      while (copy.buffered > 0) copy.get(null);
      copy.clock = now;
      copy.get({ done: false });
    };
    // Streaming: each waiting get asks for read-ahead too.
    for (let round = 0; round < 4; round++, now += 1) {
      waitingGet();
      answer();
    }
    expect(copy.buffered).toBeGreaterThan(0);
    const softAsked = () => demands.reduce((n, d) => n + d.soft, 0);
    const recall = (): void => {
      copy.clock = now;
      copy.frame(Op.H_RECALL, 0, 0, undefined as unknown as Item);
      demands.length = 0;
    };
    // A get that waits, its item, and a second get at once (a consumer that keeps up): how much
    // read-ahead that second get asked for.
    const softOfTwoGets = (): number => {
      waitingGet();
      answer();
      waitingGet();
      return softAsked();
    };
    recall();
    expect(copy.buffered).toBe(0);
    // Calm: gets within FIRST_CALM_MS ask for their own item only.
    for (let i = 0; i < 5; i++, now += 1) {
      waitingGet();
      expect(softAsked()).toBe(0);
      answer();
    }
    // Past it, streaming resumes.
    now += FIRST_CALM_MS;
    expect(softOfTwoGets()).toBeGreaterThan(0);
    answer();
    // Recalled again soon after: the calm doubles, so FIRST_CALM_MS later it still holds.
    recall();
    now += FIRST_CALM_MS + 1;
    expect(softOfTwoGets()).toBe(0);
    answer();
    now += FIRST_CALM_MS;
    expect(softOfTwoGets()).toBeGreaterThan(0);
  });

  it('reads up to MAX_WINDOW ahead alone, and at most SHARED_WINDOW once recalled', () => {
    // Alone, the window must cover a busy producer's pauses; shared, what a copy holds comes back
    // at every recall, so a big window would send items twice.
    const { copy, answer } = streamingCopy();
    let now = 1000;
    const round = (): void => {
      while (copy.buffered > 0) copy.get(null);
      copy.clock = now++;
      copy.get({ done: false });
      answer();
    };
    for (let i = 0; i < 20; i++) round();
    expect(copy.buffered).toBeGreaterThan(SHARED_WINDOW);
    expect(copy.buffered).toBeLessThanOrEqual(MAX_WINDOW);
    copy.clock = now;
    copy.frame(Op.H_RECALL, 0, 0, undefined as unknown as Item);
    now += MAX_CALM_MS + 1;
    let most = 0;
    for (let i = 0; i < 20; i++) {
      round();
      most = Math.max(most, copy.buffered);
    }
    expect(most).toBeGreaterThan(SHARED_WINDOW / 2);
    expect(most).toBeLessThanOrEqual(SHARED_WINDOW);
  });
});
