/**
 * The speed targets of issues 3 (shared), 4 (Process), 5 (ipc), 6 (Pool), 18 (performance) and 19 (managers), each tied to the
 * case that measures it. A target is either a ratio of two medians measured in the same run
 * (`versus`) or an absolute bound on one median.
 */
import { formatRatio, formatValue } from './format.js';
import { MANAGER_TARGETS } from './suites/managers.js';
import type { CaseResult, SuiteName, Unit } from './types.js';

export interface Target {
  issue: number;
  /** The target as the issue states it. */
  text: string;
  suite: SuiteName;
  caseId: string;
  /** When set, the measured figure is median(caseId) / median(versus). */
  versus?: string;
  op: '>=' | '<=' | '<';
  threshold: number;
}

export type TargetStatus = 'MET' | 'NOT MET' | 'PENDING';

export interface TargetResult extends Target {
  status: TargetStatus;
  /** The ratio, or the median in the case's unit. */
  measured?: number;
  /** The measured figure and the bound, formatted. */
  display: string;
  note?: string;
}

const GIB = 2 ** 30;
/** Issue 17's "near-linear": at least 90 % of linear for 2 workers, 85 % for 4, 80 % for 8. */
const SLEEP_SCALING = { 2: 1.8, 4: 3.4, 8: 6.4 } as const;

export const TARGETS: Target[] = [
  // issue 3
  {
    issue: 3,
    suite: 'shared',
    text: 'Lock acquireSync/release pairs >= 5x Python Lock',
    caseId: 'shared/lock/multiproc',
    versus: 'shared/lock/python',
    op: '>=',
    threshold: 5,
  },
  {
    issue: 3,
    suite: 'shared',
    text: "2 threads x 1M locked Value('i') increments >= 10x 2 Python processes",
    caseId: 'shared/incr/multiproc',
    versus: 'shared/incr/python',
    op: '>=',
    threshold: 10,
  },
  {
    issue: 3,
    suite: 'shared',
    text: 'ring buffer 64 B messages >= 3x MessagePort msgs/s',
    caseId: 'shared/ring-64b/multiproc',
    versus: 'shared/ring-64b/messageport',
    op: '>=',
    threshold: 3,
  },
  {
    issue: 3,
    suite: 'shared',
    text: 'ring buffer 64 KiB messages >= 2 GB/s',
    caseId: 'shared/ring-64k/multiproc',
    op: '>=',
    threshold: 2e9,
  },
  {
    issue: 3,
    suite: 'shared',
    text: 'idle lock waiter uses no CPU (<= 5 % of a core)',
    caseId: 'shared/idle-waiter/multiproc',
    op: '<=',
    threshold: 5,
  },
  // issue 4
  {
    issue: 4,
    suite: 'process',
    text: 'Process start+join (thread) within 1.2x of bare new Worker()',
    caseId: 'process/start/multiproc-thread',
    versus: 'process/start/bare-worker',
    op: '<=',
    threshold: 1.2,
  },
  {
    issue: 4,
    suite: 'process',
    text: 'Process start+join (process) within 1.2x of bare fork()',
    caseId: 'process/start/multiproc-process',
    versus: 'process/start/bare-fork',
    op: '<=',
    threshold: 1.2,
  },
  {
    issue: 4,
    suite: 'process',
    text: 'start+join with a warm spare ready (thread) <= 25 ms',
    caseId: 'process/start/multiproc-spare-thread',
    op: '<=',
    threshold: 25,
  },
  {
    issue: 4,
    suite: 'process',
    text: 'start+join with a warm spare ready (process) <= 25 ms',
    caseId: 'process/start/multiproc-spare-process',
    op: '<=',
    threshold: 25,
  },
  {
    issue: 4,
    suite: 'process',
    text: 'idle parent waiting in join() uses ~0 % CPU (<= 5 %)',
    caseId: 'process/idle-join/multiproc-thread',
    op: '<=',
    threshold: 5,
  },
  // issue 5
  {
    issue: 5,
    suite: 'ipc',
    text: 'Pipe round trip (thread) within 1.2x of raw MessagePort',
    caseId: 'ipc/roundtrip-thread/multiproc-pipe',
    versus: 'ipc/roundtrip-thread/messageport',
    op: '<=',
    threshold: 1.2,
  },
  {
    issue: 5,
    suite: 'ipc',
    text: 'Queue small objects (thread, 1P/1C) >= 2x raw MessagePort',
    caseId: 'ipc/small-thread/multiproc-queue',
    versus: 'ipc/small-thread/messageport',
    op: '>=',
    threshold: 2,
  },
  {
    issue: 5,
    suite: 'ipc',
    text: 'Pipe msgs/s (process) >= 2x Python Pipe',
    caseId: 'ipc/small-process/multiproc-pipe',
    versus: 'ipc/small-process/python-pipe',
    op: '>=',
    threshold: 2,
  },
  {
    issue: 5,
    suite: 'ipc',
    text: 'Queue msgs/s (process) >= 3x Python Queue',
    caseId: 'ipc/small-process/multiproc-queue',
    versus: 'ipc/small-process/python-queue',
    op: '>=',
    threshold: 3,
  },
  {
    issue: 5,
    suite: 'ipc',
    text: 'sendBytes 64 KiB (process) >= Python send_bytes',
    caseId: 'ipc/bytes-process/multiproc-pipe',
    versus: 'ipc/bytes-process/python-bytes',
    op: '>=',
    threshold: 1,
  },
  {
    issue: 5,
    suite: 'ipc',
    text: 'sendBytes 64 KiB (thread) >= 2 GiB/s',
    caseId: 'ipc/bytes-thread/multiproc-pipe',
    op: '>=',
    threshold: 2 * GIB,
  },
  // issue 6
  {
    issue: 6,
    suite: 'pool',
    text: 'map(square, 100k), 2 workers, warm >= 1.5x Python Pool.map',
    caseId: 'pool/map/multiproc-thread',
    versus: 'pool/map/python',
    op: '>=',
    threshold: 1.5,
  },
  {
    issue: 6,
    suite: 'pool',
    text: 'imap with defaults >= 50x Python imap with defaults',
    caseId: 'pool/imap/multiproc-thread',
    versus: 'pool/imap/python',
    op: '>=',
    threshold: 50,
  },
  {
    issue: 6,
    suite: 'pool',
    text: 'applyAsync of 100k trivial tasks >= 2x piscina run() per item',
    caseId: 'pool/per-item/multiproc-applyAsync',
    versus: 'pool/per-item/piscina',
    op: '>=',
    threshold: 2,
  },
  {
    issue: 6,
    suite: 'pool',
    text: 'CPU-bound 8 x ~150 ms on 2 workers: speedup over 1 worker >= 1.95x',
    caseId: 'pool/cpu/multiproc-thread',
    op: '>=',
    threshold: 1.95,
  },
  {
    issue: 6,
    suite: 'pool',
    text: 'Pool of 2 ready + first task within 1.2x of tinypool',
    caseId: 'pool/startup/multiproc-thread',
    versus: 'pool/startup/tinypool',
    op: '<=',
    threshold: 1.2,
  },
  {
    issue: 6,
    suite: 'memory',
    text: 'imap over a 10M-item generator: peak RSS growth < 32 MB',
    caseId: 'memory/imap/multiproc',
    op: '<',
    threshold: 32,
  },
  // issue 18 (part 1); the start-up ratios are issue 4's rows above
  {
    issue: 18,
    suite: 'memory',
    text: 'imap over a 10M-item generator: peak RSS growth < 16 MB (raw worker_threads floor ~7 MB)',
    caseId: 'memory/imap/multiproc',
    op: '<',
    threshold: 16,
  },
  {
    issue: 18,
    suite: 'pool',
    text: 'Pool of 2 + first task (process) within 1.2x of tinypool child_process given the same environment',
    caseId: 'pool/startup/multiproc-process',
    versus: 'pool/startup/tinypool-process-env',
    op: '<=',
    threshold: 1.2,
  },
  ...(['thread', 'process'] as const).map(
    (context): Target => ({
      issue: 18,
      suite: 'pool',
      text: `Pool of 2 + first task (${context}) within 1.2x of its floor: 2 bare workers importing the umbrella`,
      caseId: `pool/startup/multiproc-${context}`,
      versus: `pool/startup/floor-${context}`,
      op: '<=',
      threshold: 1.2,
    }),
  ),
  // How far the start-up rows are from the limit any library meets: a bare start whose module
  // imports a peer library (tinypool) instead of the umbrella already misses 1.2x of the bare row.
  ...(['thread', 'process'] as const).map(
    (context): Target => ({
      issue: 18,
      suite: 'process',
      text: `Process start+join (${context}) within 1.2x of a bare start importing a peer library (tinypool)`,
      caseId: `process/start/multiproc-${context}`,
      versus: `process/start/tinypool-floor-${context}`,
      op: '<=',
      threshold: 1.2,
    }),
  ),
  {
    issue: 18,
    suite: 'process',
    text: "umbrella import <= 15 ms (import('tinypool') measured 13 ms): within 1.15x of tinypool",
    caseId: 'process/import/multiproc',
    versus: 'process/import/tinypool',
    op: '<=',
    threshold: 1.15,
  },
  {
    issue: 18,
    suite: 'shared',
    text: 'Lock acquireSync/release >= 0.8x a raw Atomics CAS lock',
    caseId: 'shared/lock/multiproc',
    versus: 'shared/lock/raw-atomics',
    op: '>=',
    threshold: 0.8,
  },
  {
    issue: 18,
    suite: 'shared',
    text: 'ByteChannel 64 KiB messages >= 1x MessagePort',
    caseId: 'shared/ring-64k/multiproc',
    versus: 'shared/ring-64k/messageport',
    op: '>=',
    threshold: 1,
  },
  {
    issue: 18,
    suite: 'shared',
    text: 'ByteChannel 64 KiB messages, reader reads into one buffer >= 1x MessagePort',
    caseId: 'shared/ring-64k/multiproc-into',
    versus: 'shared/ring-64k/messageport',
    op: '>=',
    threshold: 1,
  },
  // issue 17
  {
    issue: 17,
    suite: 'bullmq',
    text: 'map of 100k trivial items through Redis, 2 worker processes >= 50x raw BullMQ (one job per item)',
    caseId: 'bullmq/map/multiproc',
    versus: 'bullmq/map/raw-bullmq-c8',
    op: '>=',
    threshold: 50,
  },
  ...([2, 4, 8] as const).map(
    (n): Target => ({
      issue: 17,
      suite: 'bullmq',
      text: `50 ms sleep tasks: ${n} worker processes >= ${SLEEP_SCALING[n]}x the items/s of 1 (near-linear)`,
      caseId: `bullmq/sleep/workers-${n}`,
      versus: 'bullmq/sleep/workers-1',
      op: '>=',
      threshold: SLEEP_SCALING[n],
    }),
  ),
  // issue 19
  ...MANAGER_TARGETS,
];

function passes(value: number, op: Target['op'], threshold: number): boolean {
  return op === '>=' ? value >= threshold : op === '<=' ? value <= threshold : value < threshold;
}

function whyNot(r: CaseResult | undefined, id: string): string {
  return r ? `${id}: ${r.status}${r.note ? ` (${r.note})` : ''}` : `${id}: not run`;
}

/** Evaluates the targets of the suites that ran against their results. */
export function evaluateTargets(results: CaseResult[], suites: readonly SuiteName[]): TargetResult[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  return TARGETS.filter((t) => suites.includes(t.suite)).map((t) => {
    const subject = byId.get(t.caseId);
    const other = t.versus ? byId.get(t.versus) : undefined;
    const unit: Unit = subject?.unit ?? 'x';
    const need = t.versus ? formatRatio(t.threshold) : formatValue(t.threshold, unit);
    if (subject?.status !== 'ok' || subject.median === undefined) {
      return { ...t, status: 'PENDING', display: `needs ${t.op} ${need}`, note: whyNot(subject, t.caseId) };
    }
    if (t.versus && (other?.status !== 'ok' || other.median === undefined)) {
      return { ...t, status: 'PENDING', display: `needs ${t.op} ${need}`, note: whyNot(other, t.versus) };
    }
    const measured = t.versus ? subject.median / other!.median! : subject.median;
    const shown = t.versus ? formatRatio(measured) : formatValue(measured, unit);
    let ok = passes(measured, t.op, t.threshold);
    let note: string | undefined;
    if (subject.extra?.correctTotal === false) {
      ok = false;
      note = 'wrong total: the locked increments lost updates';
    }
    return {
      ...t,
      status: ok ? 'MET' : 'NOT MET',
      measured,
      display: `${shown} (needs ${t.op} ${need})`,
      ...(note ? { note } : {}),
    };
  });
}
