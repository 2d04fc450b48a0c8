// A pipe end's EOF against its give-backs, frame by frame: the cases the protocol model found
// (seed 808136367), replayed in a fixed order on the model's in-memory wire. The home sends H_EOF
// to a copy once nothing is out but what that copy holds; if the copy gives those items back (its
// worker's flush hook, or a recall because another consumer waits), they may come to it again, so
// the EOF must not end its gets before they do.
import { describe, expect, it } from 'vitest';
import { EOF } from '../src/internal/protocol/item.js';
import { type CopySim, System } from './model/system.js';

/** The model's wire with frames delivered by hand: `run(label)` delivers the oldest frame of a link. */
function wire() {
  const tasks: { label: string; run: () => void }[] = [];
  const schedule = (label: string, run: () => void): void => void tasks.push({ label, run });
  const run = (label: string, n = 1): void => {
    for (let k = 0; k < n; k++) {
      const i = tasks.findIndex((t) => t.label === label);
      if (i < 0) throw new Error(`no frame on ${label}`);
      tasks.splice(i, 1)[0]!.run();
    }
  };
  const drain = (): void => {
    for (let t = tasks.shift(); t; t = tasks.shift()) t.run();
  };
  return { schedule, run, drain, pending: (label: string) => tasks.filter((t) => t.label === label).length };
}

/**
 * A duplex pipe: c0 reads end 0, c1 holds end 1 (a writer of what c0 reads). The home thread
 * sends 'w', 'x' and 'y' on end 1; c0's get takes 'w' and c0 reads the others ahead. Then every writer goes: the home's end 1 and
 * c1. The home sends c0 H_EOF (all that is left is what c0 holds), not delivered yet.
 */
function endedWhileHeld() {
  const w = wire();
  const sys = new System({ kind: 'pipe', duplex: true }, w.schedule);
  const opts = { maxsize: 0, acked: false, eager: true, moves: false };
  const c0 = sys.addCopy(0, opts);
  const c1 = sys.addCopy(1, opts);
  sys.get(c0, 1000); // it asks for one item, and for everything after it (a pipe end's window)
  w.drain();
  sys.sendFromHome(1, 'w');
  sys.sendFromHome(1, 'x');
  sys.sendFromHome(1, 'y');
  w.drain();
  expect(c0.proto.buffered).toBe(2);
  sys.home.closeLocal(1);
  c1.proto.close();
  sys.flush(c1);
  w.run('c1↑'); // R_CLOSE: every writer of channel 0 is gone
  // On their way to c0: H_BROKEN (nobody reads what c0 sends now), then H_EOF.
  expect(w.pending('c0↓')).toBe(2);
  return { w, sys, c0 };
}

function results(c: CopySim): unknown[] {
  return c.probes.filter((p) => p.kind === 'get').map((p) => (p.done ? p.result : 'waiting'));
}

describe('pipe EOF and give-backs (protocol core)', () => {
  it("an EOF that crossed the copy's give-back ends no get: what it gave back comes first", () => {
    const { w, sys, c0 } = endedWhileHeld();
    expect(c0.proto.giveBack()).toBe(true); // the worker's flush hook, before the EOF arrives
    sys.flush(c0);
    w.run('c0↓', 2); // the EOF sent before the home saw the give-back
    sys.get(c0, 1000);
    expect(results(c0)).toEqual(['w', 'waiting']);
    w.drain(); // the give-back reaches home: 'x' and 'y' come back to c0, then a new EOF
    sys.get(c0, 1000);
    sys.get(c0, 1000);
    w.drain();
    expect(results(c0)).toEqual(['w', 'x', 'y', EOF]);
    expect(sys.badEofs).toEqual([]);
  });

  it('a copy recalled after its EOF takes it back: an item it returned may come to it again', () => {
    const { w, sys, c0 } = endedWhileHeld();
    const local = sys.get(null, 1000, 0); // the home thread waits on end 0: c0 is recalled
    w.run('c0↓', 3); // H_BROKEN, H_EOF, then H_RECALL: c0 returns 'x' and 'y' (R_UNUSED)
    sys.get(c0, 1000);
    expect(results(c0)).toEqual(['w', 'waiting']);
    w.drain();
    sys.get(c0, 1000);
    w.drain();
    expect(local.result).toBe('x');
    expect(results(c0)).toEqual(['w', 'y', EOF]);
    expect(sys.badEofs).toEqual([]);
  });
});
