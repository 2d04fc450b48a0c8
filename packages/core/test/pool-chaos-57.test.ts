// Randomized schedules against the Pool's failure semantics (CONTRACT, Pool), in both contexts.
// Each schedule (one seed) makes a pool with random processes, maxTasksPerChild and a sometimes
// failing initializer; submits apply/applyAsync/map/mapAsync/imap/imapUnordered/starmap calls with
// random chunksize whose items return, throw, sleep, spin, exit, SIGKILL themselves or run out of
// memory (process context), or hang; aborts and times calls out at random moments (before the call,
// in the same tick, while it runs); kills random worker pids from outside (process context); and
// ends with close+join or terminate at a random point. Then it checks: every call settled exactly
// once, with an outcome its items, its options and the pool's end explain; no item ran twice; imap
// yielded a correct prefix in order; no unhandled rejection; no worker left; nothing hung.
// A failing schedule prints its seed: MULTIPROC_CHAOS57_SEEDS=<seed> replays it (a comma list, or
// `from-to`); MULTIPROC_CHAOS57_COUNT=<n> runs n seeds from the first. Full tier only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draws, isRunning, pause, seedList, within } from '../../../test-support/chaos.ts';
import { type ChaosItem, expected, type Fate, chaosTasks as t } from './fixtures/chaos-57-tasks.ts';

type Context = 'thread' | 'process';
type Kind = 'apply' | 'applyAsync' | 'map' | 'mapAsync' | 'imap' | 'imapUnordered' | 'starmap';
const KINDS: Kind[] = ['apply', 'applyAsync', 'map', 'mapAsync', 'imap', 'imapUnordered', 'starmap'];
/** A schedule not settled after this long is a hang (a loaded machine starts workers slowly). */
const SCHEDULE_LIMIT_MS = 60_000;

function seeds(): number[] {
  const count = Number(process.env.MULTIPROC_CHAOS57_COUNT ?? 12);
  return seedList(process.env.MULTIPROC_CHAOS57_SEEDS, () =>
    Array.from({ length: count }, (_, i) => 5700 + i),
  );
}

interface Call {
  readonly n: number;
  readonly kind: Kind;
  readonly items: ChaosItem[];
  readonly chunksize: number;
  readonly timeout?: number;
  /** When the abort comes: already aborted, in the same tick as the call, or `ms` later. */
  readonly abort?: 'before' | 'sameTick' | number;
  aborted: boolean;
  submittedAt: number;
  settles: number;
  values: unknown[];
  error?: unknown;
  settledAt?: number;
}

const BAD = new Set(['throw', 'exit', 'kill', 'oom', 'hang']);
const DEADLY = new Set(['exit', 'kill', 'oom']);
/** Runs one schedule; returns what broke the contract (empty when nothing did). */
export async function schedule(seed: number, context: Context, edges: string[] = []): Promise<string[]> {
  const { random, between, pick } = draws(seed);
  const dir = mkdtempSync(join(tmpdir(), 'multiproc-chaos57-'));
  const file = join(dir, 'trace');
  writeFileSync(file, '');
  const faults: string[] = [];
  const processes = between(1, 3);
  const maxTasksPerChild = random() < 0.4 ? between(1, 4) : undefined;
  const failShare = random() < 0.35 ? pick([0.2, 0.5]) : 0;
  const useInit = failShare > 0 || random() < 0.3;
  const config = { seed, context, processes, maxTasksPerChild, failShare: useInit ? failShare : 'none' };
  const options = {
    processes,
    context,
    ...(maxTasksPerChild ? { maxTasksPerChild } : {}),
    ...(context === 'process' ? { resourceLimits: { maxOldGenerationSizeMb: 64 } } : {}),
  };
  const pool = useInit
    ? new Pool({ ...options, initializer: t.init, initargs: [file, seed, failShare] })
    : new Pool(options);
  const workers = new Map<number, number>();
  const destroyed = new Set<number>();
  pool.on('workerCreate', (w) => workers.set(w.id, w.pid));
  pool.on('workerDestroy', (w) => destroyed.add(w.id));
  const killedPids = new Set<number>();
  let nextId = 0;
  const fate = (hangOk: boolean): Fate => {
    const r = random();
    if (r < 0.08) return { kind: 'throw' };
    if (r < 0.18) return { kind: 'sleep', ms: between(1, 40) };
    if (r < 0.26) return { kind: 'spin', ms: between(1, 15) };
    if (r < 0.29) return { kind: 'exit', code: between(0, 9) };
    if (context === 'process' && r < 0.31) return { kind: 'kill' };
    if (context === 'process' && r < 0.32) return { kind: 'oom' };
    if (hangOk && r < 0.36) return { kind: 'hang', blocking: random() < 0.5 };
    return { kind: 'ok' };
  };
  const calls: Call[] = [];
  let terminatedAt = Number.POSITIVE_INFINITY;
  const ending = pick(['close', 'close', 'terminateLate', 'terminateEarly'] as const);
  const submit = (call: Call) => {
    const controller = new AbortController();
    if (call.abort === 'before') controller.abort(new Error('chaos abort'));
    const options = {
      ...(call.timeout !== undefined ? { timeout: call.timeout } : {}),
      ...(call.abort !== undefined ? { signal: controller.signal } : {}),
    };
    const files = call.items;
    call.submittedAt = performance.now();
    const done = (values: unknown[], error?: unknown) => {
      call.settles++;
      call.values = values;
      if (error !== undefined) call.error = error;
      call.settledAt = performance.now();
    };
    let promise: Promise<void>;
    const drain = async (it: AsyncIterable<unknown>) => {
      const values: unknown[] = [];
      try {
        for await (const v of it) values.push(v);
        done(values);
      } catch (error) {
        done(values, error);
      }
    };
    const opts = { ...options, chunksize: call.chunksize };
    switch (call.kind) {
      case 'apply':
        promise = pool.apply(t.item, [files[0]!], options).then(
          (v) => done([v]),
          (e) => done([], e),
        );
        break;
      case 'applyAsync':
        promise = Promise.resolve(pool.applyAsync(t.item, [files[0]!], options)).then(
          (v) => done([v]),
          (e) => done([], e),
        );
        break;
      case 'map':
        promise = pool.map(t.item, files, opts).then(
          (v) => done(v),
          (e) => done([], e),
        );
        break;
      case 'mapAsync':
        promise = Promise.resolve(pool.mapAsync(t.item, files, opts)).then(
          (v) => done(v),
          (e) => done([], e),
        );
        break;
      case 'starmap':
        promise = pool
          .starmap(
            t.args,
            files.map((i) => [i.file, i.id, i.fate] as [string, number, Fate]),
            opts,
          )
          .then(
            (v) => done(v),
            (e) => done([], e),
          );
        break;
      default:
        promise = drain(pool[call.kind](t.item, files, opts));
    }
    if (call.abort === 'sameTick') controller.abort(new Error('chaos abort'));
    else if (typeof call.abort === 'number')
      setTimeout(() => {
        if (call.settles === 0) controller.abort(new Error('chaos abort'));
      }, call.abort);
    if (call.abort !== undefined) {
      controller.signal.addEventListener('abort', () => {
        call.aborted = true;
      });
      if (controller.signal.aborted) call.aborted = true;
    }
    return promise;
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const pending: Promise<void>[] = [];
  let killer: NodeJS.Timeout | undefined;
  try {
    if (context === 'process' && random() < 0.5) {
      const every = between(20, 120);
      let kills = between(1, 3);
      killer = setInterval(() => {
        if (random() > 0.3 || kills === 0) return;
        kills--;
        const alive = [...workers].filter(([id]) => !destroyed.has(id)).map(([, pid]) => pid);
        const pid = alive.length > 0 ? pick(alive) : undefined;
        if (pid === undefined || pid === process.pid) return;
        killedPids.add(pid);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }, every);
    }
    const count = between(3, 12);
    for (let n = 0; n < count; n++) {
      const kind = pick(KINDS);
      const single = kind === 'apply' || kind === 'applyAsync';
      const r = random();
      const timeout = r < 0.15 ? between(0, 150) : undefined;
      const abort = r >= 0.15 && r < 0.3 ? pick(['before', 'sameTick', between(1, 150)] as const) : undefined;
      const hangOk = timeout !== undefined || abort !== undefined || ending !== 'close';
      const items = Array.from({ length: single ? 1 : between(0, 8) }, () => ({
        file,
        id: nextId++,
        fate: fate(hangOk),
      }));
      const call: Call = {
        n,
        kind,
        items,
        chunksize: between(1, 4),
        ...(timeout !== undefined ? { timeout } : {}),
        ...(abort !== undefined ? { abort } : {}),
        aborted: false,
        submittedAt: 0,
        settles: 0,
        values: [],
      };
      calls.push(call);
      pending.push(submit(call));
      if (random() < 0.4) await pause(between(0, 30));
    }
    const all = Promise.all(pending);
    if (ending === 'close') {
      if (random() < 0.5) await pause(between(0, 50));
      pool.close();
      if (random() < 0.3) lateCall(pool, pick(KINDS), file, faults);
      await within(Promise.all([all, pool.join()]), SCHEDULE_LIMIT_MS, 'close/join');
    } else {
      if (ending === 'terminateLate') await pause(between(20, 300));
      terminatedAt = performance.now();
      await within(Promise.all([pool.terminate(), all]), SCHEDULE_LIMIT_MS, 'terminate');
    }
  } catch (error) {
    const open = calls.filter((c) => c.settles === 0).map((c) => describeCall(c));
    faults.push(`${(error as Error).message}; unsettled: ${open.join(' | ')}`);
    await pool.terminate().catch(() => {});
  } finally {
    clearInterval(killer);
  }
  await pause(20);
  process.off('unhandledRejection', onUnhandled);
  for (const reason of unhandled) faults.push(`unhandled rejection: ${String(reason)}`);
  // Workers: every one created was destroyed, and no child pid lives on.
  const left = () =>
    [...workers].filter(([id, pid]) => !destroyed.has(id) || (pid !== process.pid && isRunning(pid)));
  for (let i = 0; i < 100 && left().length > 0; i++) await pause(20);
  if (left().length > 0) faults.push(`workers left: ${JSON.stringify(left())}`);
  const found = edges.length;
  faults.push(
    ...judge(calls, readFileSync(file, 'utf8'), killedPids, terminatedAt, edges, {
      useInit,
      maxTasksPerChild,
    }),
  );
  if (edges.length > found) edges.push(`in ${JSON.stringify(config)}`);
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  return faults.map((f) => `${JSON.stringify(config)} ${f}`);
}

/** A call after close(): the Promise forms reject with PoolClosedError, the others throw it at once. */
function lateCall(pool: Pool, kind: Kind, file: string, faults: string[]): void {
  const item = { file, id: -1, fate: { kind: 'ok' } as const };
  const wrong = (how: string) => faults.push(`${kind} after close() ${how}`);
  try {
    const made =
      kind === 'apply'
        ? pool.apply(t.item, [item])
        : kind === 'map'
          ? pool.map(t.item, [item])
          : kind === 'starmap'
            ? pool.starmap(t.args, [[file, -1, item.fate]])
            : kind === 'applyAsync'
              ? pool.applyAsync(t.item, [item])
              : kind === 'mapAsync'
                ? pool.mapAsync(t.item, [item])
                : pool[kind](t.item, [item]);
    if (kind === 'imap' || kind === 'imapUnordered' || kind.endsWith('Async')) wrong('did not throw');
    else
      void Promise.resolve(made).then(
        () => wrong('resolved'),
        (e: Error) => e?.name !== 'PoolClosedError' && wrong(`rejected with ${e?.name}`),
      );
  } catch (e) {
    if (!(kind === 'imap' || kind === 'imapUnordered' || kind.endsWith('Async'))) wrong('threw');
    else if ((e as Error)?.name !== 'PoolClosedError') wrong(`threw ${(e as Error)?.name}`);
  }
}

function describeCall(c: Call): string {
  const items = c.items.map((i) => `${i.id}:${i.fate.kind}`).join(',');
  return `#${c.n} ${c.kind}(${items}) cs=${c.chunksize}${c.timeout !== undefined ? ` timeout=${c.timeout}` : ''}${c.abort !== undefined ? ` abort=${c.abort}` : ''}`;
}

/** What each call's outcome should have been, given the trace of what ran where. */
function judge(
  calls: Call[],
  trace: string,
  killed: Set<number>,
  terminatedAt: number,
  edges: string[],
  pool: { useInit: boolean; maxTasksPerChild: number | undefined },
): string[] {
  const starts = new Map<number, string[]>();
  const ends = new Set<number>();
  let initFailures = 0;
  const faults: string[] = [];
  // Per worker: its initializer's runs, and the tasks (a call, or a map chunk) it started.
  const inits = new Map<string, string[]>();
  const tasksOf = new Map<string, Set<string>>();
  const taskOf = new Map<number, string>();
  for (const call of calls) {
    const size = call.kind === 'apply' || call.kind === 'applyAsync' ? 1 : call.chunksize;
    for (const [i, item] of call.items.entries()) taskOf.set(item.id, `${call.n}/${Math.floor(i / size)}`);
  }
  for (const line of trace.split('\n')) {
    const [kind, a, b] = line.split(' ');
    if (kind === 'S') {
      starts.set(Number(a), [...(starts.get(Number(a)) ?? []), b!]);
      const tasks = tasksOf.get(b!) ?? new Set();
      tasks.add(taskOf.get(Number(a))!);
      tasksOf.set(b!, tasks);
      if (pool.useInit && inits.get(b!)?.join() !== 'ok')
        faults.push(
          `item ${a} started in worker ${b} whose initializer ran ${inits.get(b!)?.join() || 'never'}`,
        );
    } else if (kind === 'E') ends.add(Number(a));
    else if (kind === 'I') {
      inits.set(a!, [...(inits.get(a!) ?? []), b!]);
      if (b === 'fail') initFailures++;
    }
  }
  for (const [worker, tasks] of tasksOf) {
    if (pool.maxTasksPerChild !== undefined && tasks.size > pool.maxTasksPerChild)
      faults.push(
        `worker ${worker} started ${tasks.size} tasks, over maxTasksPerChild: ${[...tasks].join(' ')}`,
      );
  }
  for (const call of calls) {
    const what = `${describeCall(call)} -> ${call.error === undefined ? `ok ${JSON.stringify(call.values)}` : `${(call.error as Error)?.name}: ${(call.error as Error)?.message}`}`;
    const seen = call.items
      .map(
        (i) =>
          `${i.id}${(starts.get(i.id) ?? []).map((w) => `S@${w}${killed.has(Number(w.split(':')[0])) ? '(killed)' : ''}`).join('')}${ends.has(i.id) ? 'E' : ''}`,
      )
      .join(' ');
    const fault = (why: string) => faults.push(`${why}: ${what} [${seen}] killed=${[...killed].join(',')}`);
    if (call.settles !== 1) fault(`settled ${call.settles} times`);
    for (const item of call.items) {
      if ((starts.get(item.id)?.length ?? 0) > 1)
        fault(`item ${item.id} ran ${starts.get(item.id)!.length} times`);
    }
    // Aborted before the call, or a deadline already passed: the task never runs.
    if ((call.abort === 'before' || (call.timeout ?? 1) <= 0) && call.items.some((i) => starts.has(i.id)))
      fault('ran although aborted or timed out before it was made');
    const want = call.items.map((i) => expected(i.id));
    const started = (i: ChaosItem) => starts.has(i.id);
    const killedWorker = (i: ChaosItem) =>
      (starts.get(i.id) ?? []).some((w) => killed.has(Number(w.split(':')[0])));
    const bad = (i: ChaosItem) => started(i) && (BAD.has(i.fate.kind) || killedWorker(i));
    // Values: in order (a correct prefix for imap), a permutation of a subset for imapUnordered.
    if (call.kind === 'imapUnordered') {
      const left = new Set(want);
      if (!call.values.every((v) => left.delete(v as number))) fault('wrong values');
    } else if (!call.values.every((v, i) => v === want[i])) fault('wrong or out-of-order values');
    if (call.error === undefined) {
      if (call.values.length !== want.length) fault('resolved with too few values');
      const wrong = call.items.find((i) => BAD.has(i.fate.kind));
      if (wrong) fault(`resolved although item ${wrong.id} was ${wrong.fate.kind}`);
      if (call.aborted && call.abort === 'before') fault('resolved although aborted before the call');
      continue;
    }
    const error = call.error as Error;
    const chunks: ChaosItem[][] = [];
    const size = call.kind === 'apply' || call.kind === 'applyAsync' ? 1 : call.chunksize;
    for (let i = 0; i < call.items.length; i += size) chunks.push(call.items.slice(i, i + size));
    const closed = (call.settledAt ?? 0) >= terminatedAt;
    const elapsed = (call.settledAt ?? 0) - call.submittedAt;
    let own: boolean;
    switch (error?.name) {
      case 'ChaosTaskError':
        own = call.items.some((i) => i.fate.kind === 'throw' && started(i));
        break;
      case 'WorkerCrashedError':
        own = call.items.some(
          (i) => started(i) && ((DEADLY.has(i.fate.kind) && !ends.has(i.id)) || killedWorker(i)),
        );
        // Designed (MAX_UNSTARTED_DEATHS): a call held, not started, by that many dead workers fails.
        // Workers killed from outside count apart (10 x processes, more than a schedule kills), with
        // another message: such a failure is a fault.
        if (!own && killed.size >= 2 && /workers that died before it could start/.test(error.message)) {
          own = true;
          edges.push(`in flight in killed workers: ${what}`);
        }
        // A SIGKILL from outside between the worker's claim of a job and the task's first line:
        // the pool counts the call as running from its claim.
        if (!own && killed.size > 0 && error.message.includes('running this task was killed by SIGKILL')) {
          own = true;
          edges.push(`killed between claim and task: ${what}`);
        }
        break;
      case 'WorkerStartError':
        // Designed (start-policy.ts): after 10 x processes workers killed from outside as they
        // started, in a row, the pool gives up and fails what waits for a worker. A schedule kills
        // at most 3 workers: a refusal after fewer (2 x processes until pool-outside-kills) is a fault.
        own = /the last of \d+ workers in a row killed from outside/.test(error.message);
        if (own) edges.push(`start refused after kills: ${what}`);
        break;
      case 'RangeError':
        own =
          initFailures > 0 && chunks.some((c) => !c.some(started)) && /^init \d+ failed$/.test(error.message);
        break;
      case 'TimeoutError':
        own = call.timeout !== undefined && elapsed >= call.timeout - 1;
        break;
      case 'AbortError':
        own = call.aborted;
        break;
      case 'PoolClosedError':
        own = closed;
        break;
      default:
        own = false;
    }
    if (!own) fault('rejected for no reason of its own');
    // imap fails at its failing item: everything before that item's chunk was yielded.
    if (call.kind === 'imap' && (error?.name === 'ChaosTaskError' || error?.name === 'WorkerCrashedError')) {
      const firstBad = call.items.findIndex(bad);
      if (
        firstBad >= 0 &&
        call.values.length < firstBad - (firstBad % size) &&
        !closed &&
        !call.aborted &&
        call.timeout === undefined &&
        initFailures === 0
      )
        fault(`imap stopped at ${call.values.length}, before its failing item ${firstBad}`);
    }
  }
  return faults;
}

for (const context of ['thread', 'process'] as const) {
  describe(`Pool failure semantics under random schedules, ${context} context`, () => {
    let before: number;
    beforeAll(() => {
      before = Date.now();
    });
    afterAll(() => {
      console.log(`chaos57 ${context}: ${seeds().length} schedules in ${Date.now() - before} ms`);
    });
    it(`every call settles once, for its own reason; nothing is left (seeds ${seeds()[0]}…)`, {
      timeout: seeds().length * (SCHEDULE_LIMIT_MS + 10_000),
    }, async () => {
      const faults: string[] = [];
      for (const seed of seeds()) {
        const edges: string[] = [];
        const found = await schedule(seed, context, edges);
        for (const e of edges) console.log(`chaos57 edge seed ${seed} ${context}: ${e}`);
        for (const f of found) console.log(`chaos57 FAULT seed ${seed}: ${f}`);
        faults.push(...found);
      }
      expect(faults).toEqual([]);
    });
  });
}
