// The end-of-run invariants of the queue model (protocol.model.test.ts): exactly once or back
// home, a completed put delivered and an incomplete one never, per-sender FIFO, qsize converges.
import { expect } from 'vitest';
import type { CopySim, Probe, System } from './system.js';

/** Checks that no item was handed out twice, nor handed out and still at home; returns them all. */
export function deliveredOnce(sys: System, atHome: readonly string[]): Set<string> {
  const seen = new Set<string>();
  for (const { item } of sys.consumed) {
    expect(seen.has(item), `${item} delivered twice`).toBe(false);
    seen.add(item);
  }
  for (const item of atHome) {
    expect(seen.has(item), `${item} delivered and still at home`).toBe(false);
    seen.add(item);
  }
  return seen;
}

/** Per-sender FIFO for each consumer (items that came back after their consumer went away excepted). */
export function perSenderFifo(sys: System): void {
  const last = new Map<string, number>();
  for (const { item, by } of sys.consumed) {
    if (sys.late.has(item)) continue;
    const [sender, n] = JSON.parse(item) as [string, number];
    const k = `${by}<-${sender}`;
    expect(n, `${by} got ${item} after #${last.get(k)} of ${sender}`).toBeGreaterThan(last.get(k) ?? 0);
    last.set(k, n);
  }
}

export function check(sys: System, copies: CopySim[], puts: Probe[], acked: boolean): void {
  // What is left at home.
  const atHome: string[] = [];
  for (let r = sys.home.tryTake(0); typeof r === 'string'; r = sys.home.tryTake(0)) atHome.push(r);
  expect(sys.home.main.inFlight).toBe(0);

  // Exactly once: no item handed out twice, none both handed out and still at home.
  const seen = deliveredOnce(sys, atHome);
  // Every completed put is delivered or at home; a put that did not complete is neither.
  for (const p of puts) {
    if (p.item === undefined) continue; // a putNowait() that found no room sent nothing
    const item = p.item;
    const c = copies.find((x) => x.name === p.who);
    const completed =
      p.nowait || p.direct
        ? p.result === true
        : !acked || p.who === 'home'
          ? p.result === true || !p.done || p.who !== 'home'
          : sys.admitted.has(item);
    // A putNowait(), an unbounded put or a thread copy's put with room sends its item at the end of
    // its turn: a killed copy loses it.
    const lostWithCopy = c !== undefined && (!acked || p.nowait || p.direct) && !seen.has(item) && !c.alive;
    if (p.who === 'home' && !p.done) continue; // a local put still waiting for room
    if (completed && !lostWithCopy) expect(seen.has(item), `${item} (put by ${p.who}) lost`).toBe(true);
    if (!completed) expect(seen.has(item), `${item}: its put never completed, yet it arrived`).toBe(false);
  }
  perSenderFifo(sys);
  // qsize converges: nothing is counted that is not there.
  expect(sys.home.main.size).toBe(0);
}
