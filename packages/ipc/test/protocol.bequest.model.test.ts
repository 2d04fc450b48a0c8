// The home/copy protocol model, one step further: the home ENDS while it holds items (a queue or
// pipe made in a worker that returns or exits; protocol/bequest.ts). fast-check drives the home's
// puts, the copies' gets (waiting, at once, timed out), give-backs and deliveries in any order
// between links, then ends the home at a random step: what it holds goes to one open reading
// copy (its heir), or, with none open, to the copy still on its way (a will, as runtime/will.ts
// writes it), every link closes, and each copy reads until EOF. Checked: every item the home put
// is consumed exactly once, per-sender FIFO per consumer, and nothing reaches a copy after its EOF.
// The one loss the protocol allows is named: items a copy gave back (R_GIVE_BACK, R_UNUSED,
// R_RETURN; its worker's flush hook, or a recall) in a frame the home never read because it had
// ended: the give-back crossed the end (packages/ipc/DESIGN.md, "A home that ends").

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bequeath } from '../src/internal/protocol/bequest.js';
import { EOF, type Item } from '../src/internal/protocol/item.js';
import { Op } from '../src/internal/protocol/ops.js';
import { deliveredOnce, perSenderFifo } from './model/check.js';
import {
  cancelArb,
  deliverArb,
  isSharedStep,
  pauseArb,
  runOptions,
  runSharedStep,
  type SharedStep,
  traced,
} from './model/steps.js';
import { type CopySim, lendThroughFiles, type Probe, System } from './model/system.js';

const RUNS = Number(process.env.MP_RUNS ?? (process.env.MP_SOAK === '1' ? 20_000 : 150));
const SEED = Number(process.env.MP_SEED ?? 0xbe9e57);

type Step = SharedStep | { t: 'put' } | { t: 'flush'; who: number } | { t: 'homeEnds' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ t: 'put' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('get' as const),
      who: fc.nat(1),
      timeout: fc.constantFrom('wait' as const, 'now' as const, 'later' as const),
    }),
  },
  { weight: 1, arbitrary: cancelArb },
  { weight: 6, arbitrary: deliverArb },
  { weight: 1, arbitrary: fc.nat(1).map((who) => ({ t: 'flush' as const, who })) },
  { weight: 1, arbitrary: pauseArb },
  { weight: 1, arbitrary: fc.constant({ t: 'homeEnds' as const }) },
);

/** The home's thread ends: it reads nothing more, bequeaths what it holds, its links close. */
function homeEnds(sys: System, copies: CopySim[], mayLose: Set<string>): Map<string, Item[]> {
  sys.log.push('home ends');
  const will = new Map<string, Item[]>();
  const home = sys.home;
  // Frames still coming up are never read. What a copy gave back in one is lost (the only loss):
  // what it held then (the home keeps copies of those, or MOVED for moved ones), and what the home
  // pushed it in the epoch it had just left (dropped, or returned if moved).
  const frame = (c: unknown, op: number, _a: number, _b: number, body: Item) => {
    if (op === Op.R_RETURN) mayLose.add((body as { value: string }).value);
    if (op !== Op.R_GIVE_BACK && op !== Op.R_UNUSED) return;
    const cs = copies.find((x) => x.attached && x.home === c)!;
    for (const item of cs.home.delivered.drain()) if (typeof item === 'string') mayLose.add(item);
    for (const item of cs.movedHere) mayLose.add(item);
  };
  Object.assign(home, { frame, linkClosed: () => {}, taken: () => {}, reservedBy: () => {} });
  // Gets waiting in open copies that were not recalled, and the items the home held for them.
  const ch = home.endpoints[0]!.read!;
  const waiting = [...ch.readers].filter((c) => c.phase === 'open' && !c.recalled && c.hard > 0);
  const gets = waiting.reduce((n, c) => n + c.hard, 0);
  const held = ch.items.length;
  bequeath(home.endpoints, sys, (token, items) => {
    will.set(token, items);
    return true;
  });
  // Each of those gets took an item, in the order asked, while the home had items for them: a
  // waiting reader is not sent EOF while another copy is handed everything.
  const unserved = waiting.reduce((n, c) => n + c.hard, 0);
  if (held >= gets)
    expect(unserved, 'a get waited in a copy while the home handed its items to another').toBe(0);
  for (const c of copies) if (c.attached) sys.end(c.home);
  return will;
}

async function run(
  steps: Step[],
  s: fc.Scheduler,
  pipe: boolean,
  attachLate: boolean,
  log: string[],
): Promise<void> {
  const sys = new System(
    pipe ? { kind: 'pipe', duplex: false } : { kind: 'queue', maxsize: 0, joinable: false },
    (label, go) => void s.schedule(Promise.resolve(label)).then(go),
    log,
  );
  // Pipe: end 0 receives; the home sends on end 1. c0 reads from the start; c1 is on its way to a
  // process (reserved) and connects only if `attachLate`.
  const opts = { maxsize: 0, acked: false, eager: pipe, moves: pipe };
  const copies = [sys.addCopy(0, opts), sys.addCopy(0, opts, false)];
  if (attachLate) sys.attach(copies[1]!);
  const put: string[] = [];
  const gets: Probe[] = [];
  const mayLose = new Set<string>();
  let will: Map<string, Item[]> | null = null;
  const usable = (c: CopySim) => c.attached && c.proto.state === 'open';
  const scope = {
    sys,
    s,
    reader: (who: number) => (usable(copies[who]!) ? copies[who]! : undefined),
    cancellable: () => gets,
    later: gets,
  };
  for (const step of steps) {
    sys.log.push(JSON.stringify(step));
    if (isSharedStep(step)) {
      await runSharedStep(step, scope);
      continue;
    }
    switch (step.t) {
      case 'put': {
        if (will) break; // the home is gone
        const item = JSON.stringify(['home', put.length + 1]);
        put.push(item);
        if (pipe) sys.sendFromHome(1, item);
        else sys.put(null, item, false);
        break;
      }
      case 'flush': {
        const c = copies[step.who]!;
        if (!usable(c)) break;
        c.proto.giveBack();
        sys.flush(c);
        break;
      }
      case 'homeEnds':
        will ??= homeEnds(sys, copies, mayLose);
        break;
    }
  }
  will ??= homeEnds(sys, copies, mayLose);
  await s.waitAll();
  // The copy that never connected finds the will (runtime/will.ts): its frames, then the end.
  const late = copies[1]!;
  if (!late.attached) {
    for (const item of will.get(late.name) ?? []) late.proto.frame(Op.H_DATA, 0, 0, item);
    late.proto.linkClosed();
  }
  // Each copy reads what it holds, then EOF; a get still waiting ended with an item or EOF.
  for (const c of copies) {
    c.attached = true;
    for (let p = sys.get(c, 1000); p.result !== EOF; p = sys.get(c, 1000)) {
      expect(p.done, `${c.name}: a get waits after its home ended`).toBe(true);
    }
  }
  await s.waitAll();
  for (const p of [...gets, ...copies.flatMap((c) => c.probes)])
    expect(p.done, `${p.who}: a get never settled`).toBe(true);
  expect(
    sys.badEofs.filter((e) => e.includes(' before ')),
    'an item reached a copy after its EOF',
  ).toEqual([]);
  const seen = deliveredOnce(sys, []);
  for (const item of put) {
    if (!seen.has(item)) expect(mayLose.has(item), `${item} lost when the home ended`).toBe(true);
  }
  perSenderFifo(sys);
}

describe('home/copy protocol model: the home ends while holding items', () => {
  lendThroughFiles(); // queue copies in processes are lent through real loan files, as in a program
  for (const pipe of [false, true]) {
    it(`${pipe ? 'pipe' : 'queue'}: every item the home held reaches one copy exactly once, in order, before EOF`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(stepArb, { minLength: 10, maxLength: 80, size: 'max' }),
          fc.boolean(),
          async (s, steps, attachLate) => {
            const log: string[] = [];
            await traced(log, () => run(steps, s, pipe, attachLate, log));
          },
        ),
        runOptions(SEED, RUNS),
      );
    }, 120_000);
  }
});
