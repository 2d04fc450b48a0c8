// Randomized schedules of wait() over Process sentinels (CONTRACT, Process and IPC; Python's
// wait([conn, p.sentinel])): 1-6 Processes of either context that return, exit with a code, throw,
// kill themselves with SIGKILL, fail to load their target's module, or wait (on their event loop, or blocked in Atomics.wait) until this
// program kills or terminates them at a random moment; each is watched as the Process, its
// `sentinel`, or both; 0-3 pipes or queues beside them, fed by senders that end too; sometimes a
// Process never started is put in the list. This program calls wait() on what is still open, with a
// random timeout or none, and takes one value from each ready source. Then it checks: a list with a
// Process never started rejects with ProcessError (and its `sentinel` throws it); a Process or
// sentinel reported ready has ended (`exitCode` set, not alive); one that had ended before the call
// is reported, and is reported again if waited on again; a Process and its sentinel are each
// reported; a wait() that timed out did not end early and none without a timeout resolved with
// nothing; each Process ended with the exit code its fate gives (-9 killed, -15 terminated); each
// pipe's values arrive in order; nothing hangs; no process is left. `sentinelSchedule()` returns
// what broke.
import { EOFError, Pipe, ProcessError, Queue, wait } from '@multiproc/ipc';
import {
  draws,
  type OutsideEnd,
  pause,
  stopLater,
  watchSchedule,
  within,
} from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/wait-sentinel-chaos-60-tasks.mjs', import.meta.url).href);
const { tasks: broken } = await import(
  new URL('./fixtures/wait-sentinel-chaos-60-broken.mjs', import.meta.url).href
);
const { tasks: senders } = await import(new URL('./fixtures/wait-chaos-59-tasks.mjs', import.meta.url).href);

/** A schedule not settled after this long is a hang. */
export const SENTINEL_SCHEDULE_LIMIT_MS = 60_000;

type Context = 'thread' | 'process';
type Fate =
  | { kind: 'return' | 'throw' | 'selfKill' | 'loadFails'; ms: number }
  | { kind: 'exit'; ms: number; code: number }
  | { kind: 'hang' | 'block'; ms: number; end: OutsideEnd; after: number };
type Watch = 'process' | 'sentinel' | 'both';

/** The exit code a fate gives, in a context. */
function wantedCode(fate: Fate): number {
  switch (fate.kind) {
    case 'return':
      return 0;
    case 'exit':
      return fate.code;
    case 'throw':
    case 'loadFails':
      return 1;
    case 'selfKill':
      return -9;
    default:
      return fate.end === 'terminate' ? -15 : -9;
  }
}

/** Runs one schedule; returns what broke the contract (empty when nothing did), and its config. */
export async function sentinelSchedule(
  seed: number,
): Promise<{ faults: string[]; config: Record<string, unknown> }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const plans = Array.from({ length: between(1, 6) }, () => {
    const context: Context = pick(['thread', 'process'] as const);
    const r = random();
    const ms = random() < 0.3 ? 0 : between(1, 400);
    const fate: Fate =
      r < 0.25
        ? { kind: 'return', ms }
        : r < 0.4
          ? { kind: 'exit', ms, code: pick([0, 1, 3, 7]) }
          : r < 0.5
            ? { kind: 'throw', ms }
            : r < 0.6 && context === 'process'
              ? { kind: 'selfKill', ms }
              : {
                  kind: pick(['hang', 'hang', 'block'] as const),
                  ms,
                  end: pick(['kill', 'sigkill', 'terminate'] as const),
                  after: between(0, 500),
                };
    // SIGKILL from outside is for a child only: a thread has no pid of its own.
    if ('end' in fate && fate.end === 'sigkill' && context === 'thread') fate.end = 'kill';
    const watch: Watch = pick(['process', 'sentinel', 'both'] as const);
    // Or its target's module fails to load in the worker: it ends before the target runs.
    return { context, fate: random() < 0.1 ? ({ kind: 'loadFails', ms: 0 } as Fate) : fate, watch };
  });
  const sources = Array.from({ length: between(0, 3) }, () => ({
    kind: pick(['pipe', 'queue'] as const),
    n: between(0, 20),
    context: pick(['thread', 'process'] as const),
    pauses: [] as number[],
  }));
  for (const s of sources)
    s.pauses = Array.from({ length: s.n }, () => (random() < 0.3 ? between(1, 30) : 0));
  const unstartedAt = random() < 0.3 ? between(0, 6) : -1;
  const timeouts = Array.from({ length: 200 }, () =>
    random() < 0.25 ? undefined : random() < 0.2 ? 0 : between(0, 80) + (random() < 0.5 ? 0.5 : 0),
  );
  const againShare = random();
  const config = {
    seed,
    processes: plans.map(
      (p) =>
        `${p.context}:${p.fate.kind}+${p.fate.ms}${'code' in p.fate ? `:${p.fate.code}` : ''}${'end' in p.fate ? `:${p.fate.end}@${p.fate.after}` : ''}:${p.watch}`,
    ),
    sources: sources.map((s) => `${s.kind}:${s.context}:${s.n}`),
    unstartedAt,
  };
  const watch = watchSchedule();
  const pids = new Set<number>();
  const procs: any[] = [];
  const senderProcs: any[] = [];
  const timers: NodeJS.Timeout[] = [];
  const receivers: any[] = [];
  const got: number[][] = sources.map(() => []);
  const killed = new Set<number>();
  try {
    for (const [i, s] of sources.entries()) {
      let source: any;
      let target: any;
      if (s.kind === 'pipe') [source, target] = Pipe({ duplex: false });
      else source = target = new Queue();
      receivers.push(source);
      const p = new core.Process({
        target: senders.send,
        args: [target, s.kind, i, s.n, s.pauses.map(() => false), s.pauses, { kind: 'return' }],
        context: s.context,
      });
      p.start();
      if (s.context === 'process') pids.add(p.pid);
      senderProcs.push(p);
      if (s.kind === 'pipe') target.close();
    }
    for (const [i, plan] of plans.entries()) {
      const target = plan.fate.kind === 'loadFails' ? broken.live : tasks.live;
      const p = new core.Process({ target, args: [plan.fate], context: plan.context });
      p.start();
      if (plan.context === 'process') pids.add(p.pid);
      procs.push(p);
      const fate = plan.fate;
      if ('end' in fate) timers.push(stopLater(p, fate.end, fate.ms + fate.after, () => killed.add(i)));
    }
    const unstarted =
      unstartedAt >= 0 ? new core.Process({ target: tasks.live, args: [{ kind: 'return', ms: 0 }] }) : null;
    if (unstarted) {
      try {
        void unstarted.sentinel;
        faults.push('the sentinel of a Process never started did not throw');
      } catch (e) {
        if (!(e instanceof ProcessError))
          faults.push(`the sentinel of a Process never started threw ${(e as Error).name}`);
      }
    }
    // What is waited on: each Process as planned; a reported one leaves the list (or stays once
    // more, to be reported again); each source until its sender ended and it is drained.
    const watched: { obj: any; proc: number; again: boolean }[] = [];
    for (const [i, plan] of plans.entries()) {
      const p = procs[i];
      if (plan.watch !== 'sentinel') watched.push({ obj: p, proc: i, again: random() < againShare });
      if (plan.watch !== 'process') watched.push({ obj: p.sentinel, proc: i, again: random() < againShare });
    }
    const openSources = new Set(receivers.keys());
    let unstartedRounds = unstarted ? 1 : 0;
    const t00 = performance.now();
    for (let round = 0; watched.length > 0 || openSources.size > 0; round++) {
      if (performance.now() - t00 > SENTINEL_SCHEDULE_LIMIT_MS) throw new Error('the processes did not end');
      const sendersDone = senderProcs.every((p) => !p.isAlive());
      // A queue has no end: once its sender ended and it is empty, it leaves the list.
      for (const s of [...openSources])
        if (sources[s]!.kind === 'queue' && sendersDone && receivers[s].empty()) openSources.delete(s);
      const list = [...watched.map((w) => w.obj), ...[...openSources].map((s) => receivers[s])];
      if (list.length === 0) break;
      const planned = timeouts[round % timeouts.length];
      const ms =
        planned === undefined && [...openSources].some((s) => sources[s]!.kind === 'queue') ? 100 : planned;
      if (unstarted && unstartedRounds > 0 && round === unstartedAt) {
        unstartedRounds--;
        const at = between(0, list.length);
        const withIt = [...list.slice(0, at), unstarted, ...list.slice(at)];
        const e = await within(
          wait(withIt, ms ?? 1000).then(
            () => null,
            (err: Error) => err,
          ),
          20_000,
          'wait() with a Process never started',
        );
        if (!(e instanceof ProcessError))
          faults.push(`wait() with a Process never started gave ${e ? `${e.name}: ${e.message}` : 'a list'}`);
      }
      const endedBefore = watched.filter((w) => procs[w.proc].exitCode !== null);
      const t0 = performance.now();
      const ready = await within(
        wait(list, ms),
        ms === undefined ? SENTINEL_SCHEDULE_LIMIT_MS : ms + 20_000,
        () => `wait(${ms}) on ${list.map(String).join(', ')} did not settle`,
      );
      const took = performance.now() - t0;
      if (ready.length === 0 && ms !== undefined && took < ms - 1)
        faults.push(`wait(${ms}) resolved with nothing after ${took.toFixed(1)} ms`);
      if (ready.length === 0 && ms === undefined)
        faults.push('wait() without a timeout resolved with nothing');
      for (const w of endedBefore)
        if (!ready.includes(w.obj))
          faults.push(
            `${String(w.obj)} (${config.processes[w.proc]}) had ended before wait(${ms}) but was not reported`,
          );
      for (const r of ready) {
        if (!list.includes(r)) faults.push(`wait() gave an object not waited on: ${String(r)}`);
        const k = watched.findIndex((w) => w.obj === r);
        if (k >= 0) {
          const w = watched[k]!;
          const p = procs[w.proc];
          if (p.exitCode === null || p.isAlive())
            faults.push(
              `${String(r)} (${config.processes[w.proc]}) reported ready while alive (exitCode ${p.exitCode})`,
            );
          if (w.again) w.again = false;
          else watched.splice(k, 1);
          continue;
        }
        const s = receivers.indexOf(r);
        if (s < 0) continue;
        try {
          const v: any =
            sources[s]!.kind === 'pipe'
              ? await within(r.recv(), 5000, `pipe ${s} recv after ready`)
              : r.getNowait();
          if (v?.s !== s) faults.push(`source ${s} gave ${JSON.stringify(v)?.slice(0, 80)}`);
          else got[s]!.push(v.i);
        } catch (e) {
          if (e instanceof EOFError && sources[s]!.kind === 'pipe') openSources.delete(s);
          else
            faults.push(
              `source ${s} (${config.sources[s]}) ready, then ${(e as Error).name}: ${(e as Error).message}`,
            );
        }
      }
      if (ready.length === 0 && ms !== undefined && ms < 5) await pause(2);
    }
    await within(
      Promise.all(
        [...procs, ...senderProcs].map((p, i) =>
          plans[i]?.fate.kind === 'loadFails' ? p.join().catch(() => {}) : p.join(),
        ),
      ),
      SENTINEL_SCHEDULE_LIMIT_MS,
      'join',
    );
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const p of [...procs, ...senderProcs]) if (p.isAlive()) p.kill();
  }
  for (const [i, plan] of plans.entries()) {
    const p = procs[i];
    if (!p) continue;
    await p.join(10_000).catch(() => {});
    const want = wantedCode(plan.fate);
    // A process whose kill came as it ended on its own ('hang' and 'block' never do).
    if (p.exitCode !== want)
      faults.push(`process ${i} (${config.processes[i]}) ended with ${p.exitCode}, not ${want}`);
  }
  for (const [s, src] of sources.entries()) {
    const want = Array.from({ length: src.n }, (_, i) => i);
    if (JSON.stringify(got[s]) !== JSON.stringify(want))
      faults.push(`source ${s} (${config.sources[s]}) got ${JSON.stringify(got[s]).slice(0, 200)}`);
    const p = senderProcs[s];
    if (p) {
      await p.join(10_000).catch(() => {});
      if (p.exitCode !== 0) faults.push(`sender ${s} ended with ${p.exitCode}`);
    }
  }
  for (const r of receivers) r.close();
  const tagged = await watch.end(faults, config, { pids, tries: 150, activeChildren: core.activeChildren });
  return { faults: tagged, config };
}
