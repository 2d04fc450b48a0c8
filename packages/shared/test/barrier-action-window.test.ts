// abort(), or a party's timeout expiring, while the last party runs the action. Python runs the
// action under the barrier's lock (Lib/threading.py, Barrier._release), so neither can reach the
// cycle until the action has returned and released it: the party that ran it always passes, a
// party whose timeout expired meanwhile passes too (wait_for re-reads the state once it has the lock
// back), and abort() breaks the barrier after that cycle (here: every party of it passes; in Python
// each waiter passes or not depending on which thread gets the lock first). Real threads; the
// action blocks on a gate that a director thread opens, so the test's own thread may be a party,
// blocked (waitSync) or not (wait), waiting or running the action.
import { Barrier, setBarrierActionRunner } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { GateAction } from './gate-action.ts';
import { nextMessage, startWorker } from './helpers.ts';

// The same gate when this thread is the last party (barrier-window.mjs has its own).
setBarrierActionRunner((action) => {
  const { ctl } = action as GateAction;
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
  Atomics.wait(ctl, 1, 0);
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
type Outcome = number | string;
interface Report {
  results: Outcome[];
  elapsed: number[];
}
/** A party: this thread or a worker; `after`: arrives once that many are counted at the barrier. */
interface Party {
  main?: boolean;
  sync: boolean;
  timeouts: number[];
  after?: number;
}

async function mainParty(bar: Barrier, p: Party): Promise<Report> {
  while (bar.nWaiting < (p.after ?? 0) && !bar.broken) await tick();
  const results: Outcome[] = [];
  const elapsed: number[] = [];
  for (const ms of p.timeouts) {
    const t0 = performance.now();
    try {
      results.push(p.sync ? bar.waitSync(ms) : await bar.wait(ms));
    } catch (err) {
      results.push((err as Error).name);
    }
    elapsed.push(performance.now() - t0);
  }
  return { results, elapsed };
}

// ctl words: [0] the action started, [1] the gate is open, [2] go, [3] worker parties ready.
const newCtl = () => new Int32Array(new SharedArrayBuffer(16));

/** Starts worker parties, each waiting for the go; resolves once all of them are ready. */
async function workerParties(bar: Barrier, ctl: Int32Array, parties: Party[]): Promise<Promise<Report>[]> {
  const reports = parties.map((p) =>
    nextMessage<Report>(startWorker('barrier-window', { barrier: bar, ctl, ...p })),
  );
  while (Atomics.load(ctl, 3) < parties.length) await tick();
  return reports;
}

function go(ctl: Int32Array): void {
  Atomics.store(ctl, 2, 1);
  Atomics.notify(ctl, 2);
}

/** Runs `parties` at a fresh barrier; `op` comes while the first action runs, which then lasts `holdMs`. */
async function during(op: string, parties: Party[], holdMs: number) {
  const ctl = newCtl();
  const bar = new Barrier(3, { action: new GateAction(ctl) });
  const director = startWorker('barrier-director', { barrier: bar, ctl, op, holdMs });
  const workers = await workerParties(
    bar,
    ctl,
    parties.filter((p) => !p.main),
  );
  go(ctl);
  const reports: Promise<Report>[] = [];
  for (const p of parties) reports.push(p.main ? mainParty(bar, p) : workers.shift()!);
  const done = await Promise.all(reports);
  const { brokenAfterOp } = await nextMessage<{ brokenAfterOp: boolean }>(director);
  return { bar, done, brokenAfterOp };
}

const round = (done: Report[], r: number) => done.map((d) => d.results[r]).sort();

// Layouts of three parties; in each, the last to arrive runs the action. `short` is the timeout of
// the parties that wait while it runs.
const layouts = (short: number): [string, Party[]][] => [
  [
    'worker threads (async and sync waiting, the action in a sync one)',
    [
      { sync: false, timeouts: [short, 10_000] },
      { sync: true, timeouts: [short, 10_000], after: 1 },
      { sync: true, timeouts: [10_000, 10_000], after: 2 },
    ],
  ],
  [
    'worker threads (the action in an async one)',
    [
      { sync: true, timeouts: [short, 10_000] },
      { sync: false, timeouts: [short, 10_000], after: 1 },
      { sync: false, timeouts: [10_000, 10_000], after: 2 },
    ],
  ],
  [
    'the main thread waiting in wait()',
    [
      { main: true, sync: false, timeouts: [short, 10_000] },
      { sync: true, timeouts: [short, 10_000], after: 1 },
      { sync: false, timeouts: [10_000, 10_000], after: 2 },
    ],
  ],
  [
    'the main thread waiting in waitSync()',
    [
      { sync: true, timeouts: [short, 10_000], after: 1 },
      { sync: false, timeouts: [10_000, 10_000], after: 2 },
      { main: true, sync: true, timeouts: [short, 10_000] },
    ],
  ],
  [
    'the main thread running the action in waitSync()',
    [
      { sync: false, timeouts: [short, 10_000] },
      { sync: true, timeouts: [short, 10_000], after: 1 },
      { main: true, sync: true, timeouts: [10_000, 10_000], after: 2 },
    ],
  ],
  [
    'the main thread running the action in wait()',
    [
      { sync: true, timeouts: [short, 10_000] },
      { sync: false, timeouts: [short, 10_000], after: 1 },
      { main: true, sync: false, timeouts: [10_000, 10_000], after: 2 },
    ],
  ],
];

const SHORT = 300;

describe('Barrier: a timeout that expires while the action runs', () => {
  for (const [name, parties] of layouts(SHORT)) {
    it(`lets that cycle pass and keeps the barrier whole: ${name}`, { timeout: 20_000 }, async () => {
      // Each waiting party's deadline (computed before it arrived, so before the action started)
      // passes while the action still runs: it lasts SHORT + 100 ms more after it started.
      const { bar, done } = await during('none', parties, SHORT + 100);
      expect(round(done, 0)).toEqual([0, 1, 2]);
      for (const [i, p] of parties.entries()) {
        if (p.timeouts[0] === SHORT) expect(done[i]!.elapsed[0]).toBeGreaterThanOrEqual(SHORT);
      }
      expect(round(done, 1)).toEqual([0, 1, 2]);
      expect(bar.broken).toBe(false);
      expect(bar.nWaiting).toBe(0);
    });
  }
});

describe('Barrier.abort() while the action runs', () => {
  for (const [name, parties] of layouts(10_000)) {
    it(`lets that cycle pass, then the barrier is broken: ${name}`, { timeout: 20_000 }, async () => {
      const { bar, done, brokenAfterOp } = await during('abort', parties, 50);
      expect(round(done, 0)).toEqual([0, 1, 2]);
      // As after Python's abort() returns: broken at once, and for every later wait.
      expect(brokenAfterOp).toBe(true);
      expect(round(done, 1)).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError']);
      expect(bar.broken).toBe(true);
      expect(bar.nWaiting).toBe(0);
      bar.reset();
      expect(bar.broken).toBe(false);
    });
  }
});

// C's timeout, and how long the action holds (it must end after C's timeout has expired).
const NEXT_TIMEOUT = 1000;
const NEXT_HOLD = 2000;

describe('Barrier: a party of the next cycle whose timeout expires while the action runs', () => {
  for (const sync of [false, true]) {
    for (const main of [false, true]) {
      it(`does not break the running cycle, and waits in the next one (${main ? 'main thread' : 'worker'}, ${sync ? 'waitSync' : 'wait'})`, {
        timeout: 20_000,
      }, async () => {
        const ctl = newCtl();
        const bar = new Barrier(2, { action: new GateAction(ctl) });
        const director = startWorker('barrier-director', {
          barrier: bar,
          ctl,
          op: 'none',
          holdMs: NEXT_HOLD,
        });
        // Cycle 1: A, then B runs the action; C comes while it runs, with a timeout that expires
        // before the action ends, and meets A's second wait in cycle 2 (Python: C waits for the
        // lock, then for a partner, its whole timeout again). That timeout must outlast A's way
        // from cycle 1 to its second wait, which a loaded machine can stretch past 100 ms.
        const [a, b, c] = await workerParties(bar, ctl, [
          { sync: false, timeouts: [10_000, 10_000] },
          { sync: true, timeouts: [10_000], after: 1 },
          ...(main ? [] : [{ sync, timeouts: [NEXT_TIMEOUT], after: 2 }]),
        ]);
        go(ctl);
        while (Atomics.load(ctl, 0) === 0) await tick();
        const rc = await (c ?? mainParty(bar, { sync, timeouts: [NEXT_TIMEOUT] }));
        const [ra, rb] = await Promise.all([a!, b!]);
        await nextMessage(director);
        expect([ra.results[0], rb.results[0]].sort()).toEqual([0, 1]);
        expect(rc.elapsed[0]).toBeGreaterThanOrEqual(NEXT_TIMEOUT);
        expect([ra.results[1], rc.results[0]].sort()).toEqual([0, 1]);
        expect(bar.broken).toBe(false);
      });
    }
  }
});

describe('Barrier: abort() and reset() both while the action runs', () => {
  const [, parties] = layouts(10_000)[0]!;
  it('the later one wins, as in the order Python takes the lock: abort then reset leaves it whole', async () => {
    const { bar, done, brokenAfterOp } = await during('abort,reset', parties, 50);
    expect(brokenAfterOp).toBe(false);
    expect(round(done, 0)).toEqual([0, 1, 2]);
    expect(round(done, 1)).toEqual([0, 1, 2]);
    expect(bar.broken).toBe(false);
  });
  it('reset then abort leaves it broken after the cycle', async () => {
    const { bar, done, brokenAfterOp } = await during('reset,abort', parties, 50);
    expect(brokenAfterOp).toBe(true);
    expect(round(done, 0)).toEqual([0, 1, 2]);
    expect(round(done, 1)).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError']);
    expect(bar.broken).toBe(true);
  });
});
