// Randomized schedules against wait() and schemas (CONTRACT, IPC): 1-5 sources (a Pipe's receive
// end, a Queue or a SimpleQueue, each with a schema or none), each fed by one sender in the
// 'thread' or 'process' context that sends or puts its values with random pauses, some of them
// not matching the schema, and ends by returning, process.exit() or SIGKILL at a random moment.
// This program calls wait() on the sources still open, with a random timeout or none, and takes
// one value from each ready one without waiting. Then it checks: a wait() that timed out did not
// end early and none resolved with nothing before its timeout; a source wait() called ready gives
// a value (or EOF for a pipe) at once; each sender's values arrive in order, once, a bad one as a
// ValidationError with the next value still delivered; a pipe ends with EOFError once its sender
// ended; what a sender sent before it returned or exited arrived; nothing hangs; no process is
// left. `waitSchedule()` returns what broke.
import { EOFError, Pipe, Queue, QueueEmptyError, SimpleQueue, ValidationError, wait } from '@multiproc/ipc';
import { z } from 'zod';
import { draws, pause, watchSchedule, within } from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/wait-chaos-59-tasks.mjs', import.meta.url).href);

/** A schedule not settled after this long is a hang. */
export const WAIT_SCHEDULE_LIMIT_MS = 60_000;

type Kind = 'pipe' | 'queue' | 'simple';
type Fate =
  | { kind: 'return' }
  | { kind: 'exit'; at: number }
  | { kind: 'hang'; at: number; killAfter: number };

const SCHEMA = z.object({ s: z.number(), i: z.number(), pad: z.string() });

/** Runs one schedule; returns what broke the contract (empty when nothing did), and its config. */
export async function waitSchedule(
  seed: number,
): Promise<{ faults: string[]; config: Record<string, unknown> }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const nSources = between(1, 5);
  const plans = Array.from({ length: nSources }, () => {
    const kind: Kind = pick(['pipe', 'pipe', 'queue', 'simple'] as const);
    const n = random() < 0.1 ? 0 : between(1, 40);
    const schema = random() < 0.6;
    const bad = Array.from({ length: n }, () => schema && random() < 0.15);
    const pauses = Array.from({ length: n }, () => (random() < 0.2 ? between(1, 40) : 0));
    const f = random();
    const fate: Fate =
      f < 0.6
        ? { kind: 'return' }
        : f < 0.8
          ? { kind: 'exit', at: between(0, n) }
          : { kind: 'hang', at: between(0, n), killAfter: between(0, 600) };
    return { kind, n, schema, bad, pauses, fate, context: pick(['thread', 'process'] as const) };
  });
  const timeouts = Array.from({ length: 400 }, () =>
    random() < 0.2 ? undefined : random() < 0.2 ? 0 : between(0, 60) + (random() < 0.5 ? 0.5 : 0),
  );
  const config = {
    seed,
    sources: plans.map(
      (p) =>
        `${p.kind}${p.schema ? '+schema' : ''}:${p.context}:${p.fate.kind}${'at' in p.fate ? `@${p.fate.at}` : ''}:${p.n}:${p.bad.filter(Boolean).length}bad`,
    ),
  };
  const watch = watchSchedule();
  const pids = new Set<number>();
  const started: { p: any; killed: boolean }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const sources: any[] = [];
  const got: (number | 'bad')[][] = plans.map(() => []);
  try {
    for (const [s, plan] of plans.entries()) {
      const options = plan.schema ? { schema: SCHEMA } : {};
      let source: any;
      let target: any;
      if (plan.kind === 'pipe') [source, target] = Pipe({ duplex: false, ...options });
      else source = target = plan.kind === 'queue' ? new Queue(options) : new SimpleQueue(options);
      sources.push(source);
      const p = new core.Process({
        target: tasks.send,
        args: [target, plan.kind, s, plan.n, plan.bad, plan.pauses, plan.fate],
        context: plan.context,
      });
      p.start();
      if (plan.context === 'process') pids.add(p.pid);
      const entry = { p, killed: false };
      started.push(entry);
      if (plan.kind === 'pipe') target.close(); // this side's copy: the sender's is the last
      const fate = plan.fate;
      if (fate.kind === 'hang')
        timers.push(
          setTimeout(() => {
            if (!p.isAlive()) return;
            entry.killed = true;
            if (plan.context === 'process') {
              try {
                process.kill(p.pid, 'SIGKILL');
              } catch {}
            } else p.kill();
          }, fate.killAfter),
        );
    }
    const open = new Set(sources.keys());
    const ended = () => started.every((e) => !e.p.isAlive());
    let drainedAfterEnd = 0;
    const t00 = performance.now();
    for (let round = 0; open.size > 0; round++) {
      if (performance.now() - t00 > WAIT_SCHEDULE_LIMIT_MS) throw new Error('the sources did not end');
      // Without a timeout only while every source left is a pipe: its sender's end ends the wait.
      // A queue has no end (this program could still put on it).
      const planned = timeouts[round % timeouts.length];
      const ms = planned === undefined && [...open].some((s) => plans[s]!.kind !== 'pipe') ? 100 : planned;
      const list = [...open].map((s) => sources[s]);
      const t0 = performance.now();
      const ready = await within(
        wait(list, ms),
        ms === undefined ? WAIT_SCHEDULE_LIMIT_MS : ms + 20_000,
        `wait(${ms})`,
      );
      const took = performance.now() - t0;
      if (ready.length === 0 && ms !== undefined && took < ms - 1)
        faults.push(`wait(${ms}) resolved with nothing after ${took.toFixed(1)} ms`);
      if (ready.length === 0 && ms === undefined)
        faults.push('wait() without a timeout resolved with nothing');
      for (const r of ready) {
        const s = sources.indexOf(r);
        if (!open.has(s)) faults.push(`wait() gave a source not waited on (${s})`);
        const plan = plans[s]!;
        let v: any;
        try {
          if (plan.kind === 'pipe') {
            if (!(await r.poll())) faults.push(`source ${s}: ready, but poll() says nothing is there`);
            v = await within(r.recv(), 5000, `source ${s} recv after ready`);
          } else if (plan.kind === 'queue') v = r.getNowait();
          else {
            if (r.empty()) throw new QueueEmptyError('empty');
            v = await within(r.get(), 5000, `source ${s} get after ready`);
          }
        } catch (e) {
          if (e instanceof ValidationError && plan.schema) {
            got[s]!.push('bad');
            continue;
          }
          if (e instanceof EOFError && plan.kind === 'pipe') {
            open.delete(s);
            continue;
          }
          if (e instanceof QueueEmptyError) {
            // Not ready after all, unless it is a queue whose values were all taken and whose sender ended.
            faults.push(`source ${s} (${config.sources[s]}): wait() said ready, getNowait() found it empty`);
            continue;
          }
          throw e;
        }
        if (v?.s !== s) faults.push(`source ${s} gave ${JSON.stringify(v)?.slice(0, 80)}`);
        else got[s]!.push(v.i);
      }
      // A queue has no end: it is done once its sender ended and it stays empty a while.
      if (ended()) {
        for (const s of [...open]) {
          if (plans[s]!.kind === 'pipe') continue;
          if (sources[s].empty() && ++drainedAfterEnd > 50) open.delete(s);
        }
        if (ready.length === 0 && ms === undefined) break;
        if (ready.length === 0) await pause(2);
      }
    }
    await within(Promise.all(started.map((e) => e.p.join())), WAIT_SCHEDULE_LIMIT_MS, 'senders join');
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const e of started) if (e.p.isAlive()) e.p.kill();
  }
  for (const [s, plan] of plans.entries()) {
    const e = started[s];
    if (!e) continue;
    await e.p.join(10_000).catch(() => {});
    const fate = plan.fate;
    const wantCode = fate.kind === 'hang' && fate.at < plan.n ? -9 : 0;
    if (e.p.exitCode !== wantCode && !(e.killed && e.p.exitCode === -9))
      faults.push(`sender ${s} (${config.sources[s]}) ended with ${e.p.exitCode}`);
    const sent = fate.kind === 'return' ? plan.n : Math.min(fate.at, plan.n);
    const want = Array.from({ length: sent }, (_, i) => (plan.bad[i] ? 'bad' : i));
    const mine = got[s]!;
    // Killed (its timer may fire before it sent anything, or after it sent all): a prefix arrived.
    const killed = e.killed;
    const prefix = JSON.stringify(mine) === JSON.stringify(want.slice(0, mine.length));
    if (killed ? !prefix || mine.length > sent : JSON.stringify(mine) !== JSON.stringify(want))
      faults.push(
        `source ${s} (${config.sources[s]}) got ${JSON.stringify(mine).slice(0, 200)} for ${sent} sent`,
      );
  }
  for (const src of sources) src.close();
  const tagged = await watch.end(faults, config, { pids, tries: 150, activeChildren: core.activeChildren });
  return { faults: tagged, config };
}
