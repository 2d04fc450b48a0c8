// The steps every protocol model run takes alike: a get (waiting, at once, or one a later step
// cancels as if it timed out), cancelling such a get, delivering frames, and a pause (the
// consumers stop streaming). Each model test adds the steps of its own around these.
import fc from 'fast-check';
import type { CopySim, Probe, System } from './system.js';

export type SharedStep =
  | { t: 'get'; who: number; timeout: 'wait' | 'now' | 'later' }
  | { t: 'cancel'; which: number }
  | { t: 'deliver'; n: number }
  | { t: 'pause' };

export const cancelArb = fc.nat(9).map((which) => ({ t: 'cancel' as const, which }));
export const deliverArb = fc.integer({ min: 1, max: 6 }).map((n) => ({ t: 'deliver' as const, n }));
export const pauseArb = fc.constant({ t: 'pause' as const });

export interface StepScope {
  sys: System;
  s: fc.Scheduler;
  /** Who runs a get of `who`: a copy, null for the home thread, undefined when it cannot get now. */
  reader(who: number): CopySim | null | undefined;
  /** The gets a cancel step picks from (by its `which`, modulo their number). */
  cancellable(): Probe[];
  /** Where gets left for a later cancel go (none kept when absent). */
  later?: Probe[];
}

const SHARED = new Set(['get', 'cancel', 'deliver', 'pause']);

/** Whether `step` is one of the shared steps ({@link runSharedStep} runs it). */
export function isSharedStep<S extends { t: string }>(step: S | SharedStep): step is SharedStep {
  return SHARED.has(step.t);
}

/** Runs one of the shared steps. */
export async function runSharedStep(step: SharedStep, scope: StepScope): Promise<void> {
  const { sys, s } = scope;
  switch (step.t) {
    case 'get': {
      const c = scope.reader(step.who);
      if (c === undefined) return;
      const p = sys.get(c, step.timeout === 'now' ? 0 : 1000);
      if (step.timeout === 'later') scope.later?.push(p);
      return;
    }
    case 'cancel': {
      const list = scope.cancellable();
      const p = list[step.which % Math.max(1, list.length)];
      if (p) sys.cancelGet(p);
      return;
    }
    case 'deliver':
      for (let i = 0; i < step.n && s.count() > 0; i++) await s.waitOne();
      return;
    case 'pause':
      sys.clock += 100; // the consumers stop streaming
      return;
  }
}

/** fast-check's run options: a replay given in `MP_MODEL_REPLAY`, else `seed`. */
export function runOptions(seed: number, numRuns: number, extra: object = {}) {
  return process.env.MP_MODEL_REPLAY
    ? { ...JSON.parse(process.env.MP_MODEL_REPLAY), numRuns }
    : { seed, numRuns, ...extra };
}

/** Runs `run`; when it fails and `MP_MODEL_TRACE=1`, prints `log` (the steps and frames) first. */
export async function traced(log: string[], run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (process.env.MP_MODEL_TRACE === '1') console.log(log.join('\n'));
    throw err;
  }
}
