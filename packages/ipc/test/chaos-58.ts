// Randomized schedules against the delivery and failure promises of queues and pipes (CONTRACT,
// IPC). One seed makes one schedule: a Queue (bounded or not), JoinableQueue, SimpleQueue or Pipe;
// 1-4 producers and 0-2 consumers in workers, each in the 'thread' or 'process' context; values
// from tiny objects to buffers past 64 KiB, typed arrays, strings and nested objects with a Map and a
// Date; puts that wait, time out or do not wait; gets that block, time out or do not wait, in
// workers and here; and each worker's end: return (after closing its handle, or joinThread()),
// process.exit() or a throw in the middle of its loop, SIGKILL from outside at a random moment, a
// JoinableQueue consumer ending with an item it never marked done. Then it checks: every value
// arrives intact, once, in its producer's order at each consumer; what a producer put before it
// returned, exited or threw arrived and nothing after; a killed producer's values are a prefix;
// a pipe ends with EOFError; a timed get never ends early; join() resolves once every value is
// marked done; exit codes; no worker is left; nothing hangs. `schedule()` returns what broke.
import { appendFileSync } from 'node:fs';
import {
  EOFError,
  JoinableQueue,
  Pipe,
  Queue,
  QueueEmptyError,
  QueueFullError,
  SimpleQueue,
} from '@multiproc/ipc';
import { draws, pause, watchSchedule, within } from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks, checkValue } = await import(new URL('./fixtures/chaos-58-tasks.mjs', import.meta.url).href);

export type Context = 'thread' | 'process';
type Kind = 'queue' | 'joinable' | 'simple' | 'pipe';
type Fate =
  | { kind: 'return'; at?: number; close?: boolean }
  | { kind: 'exit'; at: number; code: number }
  | { kind: 'throw'; at: number }
  | { kind: 'hang'; killAfter: number }
  | { kind: 'hold'; at: number };
type Shape = 'tiny' | 'string' | 'buffer' | 'f64' | 'nested';
type Plan = [Shape, number][];

/** A schedule not settled after this long is a hang (a loaded machine starts processes slowly). */
export const SCHEDULE_LIMIT_MS = 60_000;

interface Worker {
  readonly role: 'producer' | 'consumer';
  readonly n: number;
  readonly context: Context;
  readonly fate: Fate;
  readonly p: any;
  killedAt?: number;
}

/** What one schedule is made of, readable in a fault report. */
export interface Config {
  seed: number;
  kind: Kind;
  maxsize: number;
  producers: string[];
  consumers: string[];
  mainGets: string;
}

/** Runs one schedule; returns what broke the contract (empty when nothing did), and its config. */
export async function schedule(
  seed: number,
  contexts: readonly Context[] = ['thread', 'process'],
): Promise<{ faults: string[]; config: Config; edges: string[] }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const edges: string[] = [];
  const kind = pick(['queue', 'queue', 'joinable', 'simple', 'pipe'] as const);
  const maxsize = (kind === 'queue' || kind === 'joinable') && random() < 0.3 ? between(1, 16) : 0;
  const shape = (): [Shape, number] => {
    const r = random();
    if (r < 0.55) return ['tiny', 0];
    if (r < 0.65) return ['nested', 0];
    const s = pick(['string', 'buffer', 'f64'] as const);
    return [s, r < 0.93 ? between(1, 4096) : between(60_000, 140_000)];
  };
  const nProducers = between(1, 4);
  const plans: Plan[] = [];
  const producerFates: Fate[] = [];
  for (let p = 0; p < nProducers; p++) {
    const length = random() < 0.1 ? 0 : random() < 0.8 ? between(1, 60) : between(100, 600);
    plans.push(Array.from({ length }, shape));
    const r = random();
    const at = between(0, length);
    producerFates.push(
      r < 0.45
        ? { kind: 'return', close: random() < 0.5 }
        : r < 0.6
          ? { kind: 'exit', at, code: pick([0, 0, 3]) }
          : r < 0.75
            ? { kind: 'throw', at }
            : { kind: 'hang', killAfter: between(50, 1200) },
    );
  }
  const nConsumers = between(0, 2);
  const consumerFates: Fate[] = [];
  for (let c = 0; c < nConsumers; c++) {
    const r = random();
    const at = between(0, 30);
    consumerFates.push(
      r < 0.45
        ? { kind: 'return', close: random() < 0.5, ...(random() < 0.5 ? { at } : {}) }
        : r < 0.6
          ? { kind: 'exit', at, code: 0 }
          : r < 0.72
            ? { kind: 'throw', at }
            : r < 0.85 && kind === 'joinable'
              ? { kind: 'hold', at: at + 1 }
              : { kind: 'hang', killAfter: between(0, 400) },
    );
  }
  const context = () => pick(contexts);
  const workers: Worker[] = [];
  const q: any =
    kind === 'queue'
      ? new Queue({ maxsize })
      : kind === 'joinable'
        ? new JoinableQueue({ maxsize })
        : kind === 'simple'
          ? new SimpleQueue()
          : undefined;
  const [recvEnd, sendEnd] = kind === 'pipe' ? Pipe({ duplex: false }) : [];
  const [reports, reportEnd] = Pipe<[number, number, number, boolean]>({ duplex: false });
  const mainGets = pick(['block', 'timeout', 'nowait', 'mixed'] as const);
  const config: Config = {
    seed,
    kind,
    maxsize,
    producers: [],
    consumers: [],
    mainGets,
  };
  const pids = new Set<number>();
  const watch = watchSchedule();
  const killers: NodeJS.Timeout[] = [];
  const start = (role: Worker['role'], n: number, fate: Fate, args: unknown[]) => {
    const ctx = context();
    const target = role === 'producer' ? tasks.produce : tasks.consume;
    const p = new core.Process({ target, args, context: ctx });
    p.start();
    if (ctx === 'process') pids.add(p.pid);
    const w: Worker = { role, n, context: ctx, fate, p };
    workers.push(w);
    (role === 'producer' ? config.producers : config.consumers).push(
      `${ctx}:${fate.kind}${'at' in fate && fate.at !== undefined ? `@${fate.at}` : ''}${fate.kind === 'hang' ? `+${fate.killAfter}ms` : ''}${role === 'producer' ? `:${plans[n]!.length}` : ''}`,
    );
    if (fate.kind === 'hang')
      killers.push(
        setTimeout(() => {
          w.killedAt = performance.now();
          // SIGKILL from outside for a process; a thread can only be terminated.
          if (ctx === 'process') {
            try {
              process.kill(p.pid, 'SIGKILL');
            } catch {}
          } else p.kill();
        }, fate.killAfter),
      );
  };
  const target = kind === 'pipe' ? sendEnd : q;
  const source = kind === 'pipe' ? recvEnd : q;
  const seen = new Map<string, string[]>(); // "p/i" -> who took it
  const order = new Map<string, number>(); // "who/p" -> last i
  const tally = new Map<string, number>(); // who -> values taken
  const take = (who: string, p: number, i: number, ok: boolean) => {
    if (p === -1) {
      faults.push(`${who}: ${i} timed gets ended early`);
      return;
    }
    if (!ok) faults.push(`${who} got a wrong value for ${p}/${i}`);
    const key = `${p}/${i}`;
    tally.set(who, (tally.get(who) ?? 0) + 1);
    seen.set(key, [...(seen.get(key) ?? []), who]);
    const last = order.get(`${who}/${p}`) ?? -1;
    if (i <= last) faults.push(`${who} got ${p}/${i} after ${p}/${last}`);
    order.set(`${who}/${p}`, i);
  };
  let joinResult = 'not joined';
  if (process.env.MULTIPROC_CHAOS58_LOG)
    appendFileSync(
      process.env.MULTIPROC_CHAOS58_LOG,
      `${new Date().toISOString()} start ${seed} ${JSON.stringify({ kind, maxsize, producerFates, consumerFates, lengths: plans.map((p) => p.length) })}\n`,
    );
  try {
    for (let p = 0; p < nProducers; p++) {
      const how =
        kind === 'simple'
          ? pick(['await', 'nowait'])
          : maxsize > 0
            ? pick(['await', 'timeout'])
            : pick(['await', 'nowait', 'timeout']);
      const slow = producerFates[p]!.kind === 'hang' ? 0.3 : 0.1;
      const pauses = plans[p]!.map(() => (random() < slow ? between(1, 20) : random() < 0.1 ? -1 : 0));
      const closeAtEnd =
        producerFates[p]!.kind === 'return' && (producerFates[p] as { close?: boolean }).close
          ? pick(['close', 'joinThread'])
          : 'none';
      start('producer', p, producerFates[p]!, [
        target,
        kind,
        p,
        plans[p],
        producerFates[p],
        pauses,
        how,
        closeAtEnd,
      ]);
    }
    for (let c = 0; c < nConsumers; c++) {
      const mode = pick(['block', 'timeout', 'nowait'] as const);
      start('consumer', c, consumerFates[c]!, [source, kind, c, plans, consumerFates[c], mode, reportEnd]);
    }
    // This side's copies of the ends it gave away: closing them here closes only this handle.
    sendEnd?.close();
    reportEnd.close();
    const reportsDone = (async () => {
      for (;;) {
        const r = await reports.recv().catch((e: unknown) => e);
        if (r instanceof EOFError) return;
        if (r instanceof Error) throw r;
        const [c, p, i, ok] = r as [number, number, number, boolean];
        take(`consumer${c}`, p, i, ok);
      }
    })();
    let ended = false;
    const mainTake = async (v: any) => {
      if (v?.stop === true) {
        if (kind === 'joinable') q.taskDone();
        // A sentinel is for a consumer in a worker until they have all ended: put it back.
        if (!ended) {
          await q.put(v);
          await pause(5);
        }
        return;
      }
      take('main', v?.p, v?.i, checkValue(v, plans));
      if (kind === 'joinable') q.taskDone();
    };
    const mainLoop = (async () => {
      for (;;) {
        if (kind === 'pipe') {
          if (random() < 0.2) await recvEnd!.poll(between(0, 30));
          const v = await recvEnd!.recv().catch((e: unknown) => e);
          if (v instanceof EOFError) return;
          if (v instanceof Error) throw v;
          await mainTake(v);
          continue;
        }
        if (ended) return;
        const mode = mainGets === 'mixed' ? pick(['block', 'timeout', 'nowait']) : mainGets;
        if (kind === 'simple' || mode === 'block') {
          // A blocking get ends when a value comes: a stop sentinel is put for it at the end.
          await mainTake(await q.get());
        } else if (mode === 'timeout') {
          const ms = between(0, 120);
          const t0 = performance.now();
          const v = await q.get({ timeout: ms }).catch((e: unknown) => e);
          if (v instanceof QueueEmptyError) {
            if (performance.now() - t0 < ms - 1) faults.push(`main get({ timeout: ${ms} }) ended early`);
          } else if (v instanceof Error) throw v;
          else await mainTake(v);
        } else {
          try {
            await mainTake(random() < 0.5 ? q.getNowait() : await q.get({ block: false }));
          } catch (e) {
            if (!(e instanceof QueueEmptyError)) throw e;
            await pause(between(0, 10));
          }
        }
      }
    })();
    void mainLoop.catch(() => {});
    void reportsDone.catch(() => {});
    const producers = workers.filter((w) => w.role === 'producer');
    const consumers = workers.filter((w) => w.role === 'consumer');
    const bounded = <T>(promise: Promise<T>, what: string) => within(promise, SCHEDULE_LIMIT_MS, what);
    await bounded(Promise.all(producers.map((w) => w.p.join())), 'producers join');
    if (kind !== 'pipe') {
      // One stop sentinel per consumer still taking, and one for a blocking get here.
      for (let k = 0; k <= consumers.length; k++) await bounded(q.put({ stop: true }), 'stop put');
    }
    await bounded(Promise.all(consumers.map((w) => w.p.join())), 'consumers join');
    ended = true;
    // Wakes a blocking get here that took a sentinel meant for a consumer that ended first.
    // (A full queue wakes it anyway; then nobody may take this one.)
    if (kind === 'simple') await q.put({ stop: true });
    else if (kind !== 'pipe')
      try {
        q.putNowait({ stop: true });
      } catch (e) {
        if (!(e instanceof QueueFullError)) throw e;
      }
    await bounded(mainLoop, 'main consumer');
    // Everything left: a drain with a generous timeout (values of exited workers are in by now).
    if (kind !== 'pipe') {
      for (;;) {
        const v =
          kind === 'simple'
            ? q.empty()
              ? undefined
              : await bounded(q.get(), 'simple drain')
            : await q.get({ timeout: 300 }).catch((e: unknown) => {
                if (e instanceof QueueEmptyError) return undefined;
                throw e;
              });
        if (v === undefined) break;
        await mainTake(v);
      }
    }
    await bounded(reportsDone, 'reports EOF');
    if (kind === 'joinable') {
      const held = consumerFates.some((f) => f.kind === 'hold' || f.kind === 'hang');
      joinResult = await within<string>(
        q.join().then(
          () => 'joined',
          (e: Error) => `${e.name}: ${e.message}`,
        ),
        held ? 1500 : 10_000,
        'join',
      ).catch(() => 'join did not settle');
      if (joinResult !== 'joined' && !held) faults.push(`join(): ${joinResult}`);
    }
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    for (const k of killers) clearTimeout(k);
    for (const w of workers)
      if (w.p.isAlive()) {
        w.killedAt = performance.now();
        w.p.kill();
      }
  }
  // Exit codes, and no worker left behind.
  for (const w of workers) {
    await w.p.join(10_000).catch(() => {});
    const want =
      w.fate.kind === 'exit'
        ? [w.fate.code]
        : w.fate.kind === 'throw'
          ? [1]
          : w.fate.kind === 'hang'
            ? [-9]
            : [0];
    if (!want.includes(w.p.exitCode) && !(w.killedAt !== undefined && w.p.exitCode === -9))
      faults.push(`${w.role}${w.n} (${w.context} ${w.fate.kind}) ended with ${w.p.exitCode}`);
  }
  // Delivery: per producer, what its end promises.
  const killedConsumer = workers.some((w) => w.role === 'consumer' && w.fate.kind === 'hang');
  const killedProcessConsumer = workers.some(
    (w) => w.role === 'consumer' && w.fate.kind === 'hang' && w.context === 'process',
  );
  for (const [key, who] of seen) {
    if (who.length > 1) {
      if (killedProcessConsumer) edges.push(`${key} twice (${who}) with a consumer process killed`);
      else faults.push(`${key} delivered ${who.length} times: ${who.join(',')}`);
    }
  }
  for (let p = 0; p < nProducers; p++) {
    const fate = producerFates[p]!;
    const length = plans[p]!.length;
    const put = fate.kind === 'return' || fate.kind === 'hang' ? length : Math.min(fate.at, length);
    const got = Array.from({ length }, (_, i) => seen.has(`${p}/${i}`));
    const missing = got.flatMap((g, i) => (!g && i < put ? [i] : []));
    const extra = got.flatMap((g, i) => (g && i >= put ? [i] : []));
    if (extra.length > 0)
      faults.push(`producer ${p} (${fate.kind}): values past its end arrived: ${extra.slice(0, 5)}`);
    if (missing.length === 0) continue;
    const lastGot = got.lastIndexOf(true);
    const what = `producer ${p} (${workers.find((w) => w.role === 'producer' && w.n === p)!.context} ${fate.kind}, ${put} put): ${missing.length} missing, first ${missing.slice(0, 5)}, last received ${lastGot}`;
    if (killedConsumer) edges.push(`${what} (a consumer was killed)`);
    else if (fate.kind === 'hang' && missing[0]! > lastGot) edges.push(`${what} (killed: a prefix arrived)`);
    else
      faults.push(
        `${what}; shapes ${JSON.stringify(missing.slice(0, 3).map((i) => plans[p]![i]))}; taken: ${JSON.stringify(Object.fromEntries(tally))}`,
      );
  }
  reports.close();
  recvEnd?.close();
  q?.close();
  const tagged = await watch.end(faults, config, { pids, tries: 100, activeChildren: core.activeChildren });
  return { faults: tagged, config, edges };
}
