// A pipe end held by a worker that has ended reads nothing more: sends towards it fail at once
// (BrokenPipeError), from the moment the home learns the holder ended, not only once the worker's
// link closes. `Process.join()` resolves at the first of the two, so a send right after it used to
// be dropped silently now and then (2 in 15 runs of kill, join, send, between processes). The
// protocol core is driven frame by frame on the model's wire, so the order is the bad one every time.
import { describe, expect, it } from 'vitest';
import { type CopySim, System } from './model/system.js';

const OPTS = { maxsize: 0, acked: false, eager: true, moves: false };

/**
 * A duplex pipe whose end 1 went to a worker process (`c`: reserved, then connected, as a copy sent
 * to a process is); the home thread closed its own handle of end 1, as a program does after start().
 */
function pipeHeldByAProcess(): { sys: System; c: CopySim } {
  const sys = new System({ kind: 'pipe', duplex: true }, (_label, run) => run());
  const c = sys.addCopy(1, OPTS, false);
  sys.attach(c);
  sys.home.closeLocal(1);
  return { sys, c };
}

describe('a pipe end whose holder ended', () => {
  it('makes sends towards it fail as soon as the home learns its holder ended', () => {
    const { sys, c } = pipeHeldByAProcess();
    expect(sys.home.brokenFor(0)).toBe(false);
    sys.home.release(c.name); // the process exited; its link has not closed yet
    expect(sys.home.brokenFor(0)).toBe(true);
    sys.kill(c); // then its link closes: counted once, not twice
    expect(sys.home.brokenFor(0)).toBe(true);
  });

  it('keeps sends working while another handle of that end is open', () => {
    const sys = new System({ kind: 'pipe', duplex: true }, (_label, run) => run());
    const c = sys.addCopy(1, OPTS, false);
    sys.attach(c);
    sys.home.release(c.name); // the home thread's own handle of end 1 is still open
    expect(sys.home.brokenFor(0)).toBe(false);
    sys.kill(c);
    expect(sys.home.brokenFor(0)).toBe(false);
    sys.home.closeLocal(1);
    expect(sys.home.brokenFor(0)).toBe(true);
  });

  it('a copy whose link closed before its holder was reported is counted out once', () => {
    const { sys, c } = pipeHeldByAProcess();
    const other = sys.addCopy(1, OPTS, false);
    sys.attach(other);
    sys.kill(c);
    sys.home.release(c.name);
    expect(sys.home.brokenFor(0)).toBe(false); // `other` still reads end 1
    sys.home.release(other.name);
    expect(sys.home.brokenFor(0)).toBe(true);
  });
});
