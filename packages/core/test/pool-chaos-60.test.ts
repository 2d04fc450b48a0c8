// Randomized schedules of a 'process' Pool ended at a random point of its life (CONTRACT, Pool):
// random processes, maxTasksPerChild and an initializer that fails for a random share of its runs;
// apply/applyAsync/map/imap calls whose items return, throw, sleep, spin or hang, with a per-call
// timeout or an AbortSignal aborted at a random moment; SIGKILL to random live workers at random
// moments (between calls too, and while they start); and close() (then join()) or terminate() at a
// random point: between two submissions, while calls run, or after all. Then it checks: every call
// made before the end settled exactly once, with its value or the named error its items, its options
// or the end explain; every submission after the end failed with PoolClosedError (thrown at once by
// applyAsync and imap, a rejection for the others); never more live worker processes than
// `processes` (sampled every few ms, a worker that has exited but is not reaped yet not counted); no
// worker process left; no unhandled rejection; nothing hangs. pool-chaos-57 judges which call may
// fail for which item; this one, the pool's end and its worker count. Full tier: a failing schedule
// prints its seed; MULTIPROC_CHAOS60_SEEDS=<seed> replays it (a comma list, or `from-to`),
// MULTIPROC_CHAOS60_COUNT=<n> runs n seeds (default 30).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { draws, isRunning, pause, seedList, watchSchedule, within } from '../../../test-support/chaos.ts';
import { type ChaosItem, expected, type Fate, chaosTasks as t } from './fixtures/chaos-57-tasks.ts';

/** A schedule not settled after this long is a hang. */
const SCHEDULE_LIMIT_MS = 60_000;

const list = seedList(process.env.MULTIPROC_CHAOS60_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS60_COUNT ?? 30);
  return Array.from({ length: count }, (_, i) => 6000 + i);
});

type Kind = 'apply' | 'applyAsync' | 'map' | 'imap';
interface Call {
  readonly n: number;
  readonly kind: Kind;
  readonly items: ChaosItem[];
  readonly timeout?: number;
  readonly abortAfter?: number;
  aborted: boolean;
  /** Made after the pool's end: must fail with PoolClosedError. */
  readonly late: boolean;
  settles: number;
  values: unknown[];
  error?: unknown;
}

/** Whether `pid` is a live process: running, and not a zombie left to reap. */
function live(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Runs one schedule; returns what broke the contract (empty when nothing did). */
async function schedule(seed: number): Promise<string[]> {
  const { random, between, pick } = draws(seed);
  const dir = mkdtempSync(join(tmpdir(), 'multiproc-chaos60-'));
  const file = join(dir, 'trace');
  writeFileSync(file, '');
  const faults: string[] = [];
  const processes = between(1, 3);
  const maxTasksPerChild = random() < 0.5 ? between(1, 3) : undefined;
  const failShare = random() < 0.4 ? pick([0.2, 0.5]) : 0;
  const count = between(3, 14);
  const endAt = random() < 0.5 ? count : between(0, count); // the end comes before call `endAt` (count: after all)
  const ending = pick(['close', 'terminate'] as const);
  const kills = random() < 0.6 ? between(1, 3) : 0;
  const killEvery = between(10, 80);
  const config = { seed, processes, maxTasksPerChild, failShare, count, endAt, ending, kills };
  const watch = watchSchedule();
  const options = {
    processes,
    context: 'process' as const,
    ...(maxTasksPerChild ? { maxTasksPerChild } : {}),
  };
  const pool =
    failShare > 0
      ? new Pool({ ...options, initializer: t.init, initargs: [file, seed, failShare] })
      : new Pool(options);
  const pids = new Set<number>();
  pool.on('workerCreate', (w) => pids.add(w.pid));
  let most = 0;
  let mostAt = '';
  const sampler = setInterval(() => {
    const alive = [...pids].filter(live);
    if (alive.length > most) {
      most = alive.length;
      mostAt = alive.join(',');
    }
  }, 3);
  let left = kills;
  const killer =
    kills > 0
      ? setInterval(() => {
          if (left === 0 || random() < 0.3) return;
          const alive = [...pids].filter(live);
          if (alive.length === 0) return;
          left--;
          try {
            process.kill(pick(alive), 'SIGKILL');
          } catch {}
        }, killEvery)
      : undefined;
  let nextId = 0;
  const fate = (): Fate => {
    const r = random();
    if (r < 0.1) return { kind: 'throw' };
    if (r < 0.3) return { kind: 'sleep', ms: between(1, 60) };
    if (r < 0.4) return { kind: 'spin', ms: between(1, 10) };
    if (r < 0.45) return { kind: 'hang', blocking: random() < 0.5 };
    return { kind: 'ok' };
  };
  const calls: Call[] = [];
  const pending: Promise<void>[] = [];
  let ended = false;
  let endPromise: Promise<unknown> = Promise.resolve();
  const end = () => {
    ended = true;
    if (ending === 'close') {
      pool.close();
      endPromise = pool.join();
    } else endPromise = pool.terminate();
  };
  const submit = (call: Call) => {
    const controller = new AbortController();
    const options = {
      ...(call.timeout !== undefined ? { timeout: call.timeout } : {}),
      ...(call.abortAfter !== undefined ? { signal: controller.signal } : {}),
    };
    if (call.abortAfter !== undefined)
      setTimeout(() => {
        if (call.settles === 0) {
          call.aborted = true;
          controller.abort(new Error('chaos60 abort'));
        }
      }, call.abortAfter);
    const done = (values: unknown[], error?: unknown) => {
      call.settles++;
      call.values = values;
      if (error !== undefined) call.error = error;
    };
    const items = call.items;
    try {
      switch (call.kind) {
        case 'apply':
          return pool.apply(t.item, [items[0]!], options).then(
            (v) => done([v]),
            (e) => done([], e),
          );
        case 'applyAsync':
          return Promise.resolve(pool.applyAsync(t.item, [items[0]!], options)).then(
            (v) => done([v]),
            (e) => done([], e),
          );
        case 'map':
          return pool.map(t.item, items, { ...options, chunksize: between(1, 3) }).then(
            (v) => done(v),
            (e) => done([], e),
          );
        default: {
          const it = pool.imap(t.item, items, { ...options, chunksize: between(1, 3) });
          return (async () => {
            const values: unknown[] = [];
            try {
              for await (const v of it) values.push(v);
              done(values);
            } catch (e) {
              done(values, e);
            }
          })();
        }
      }
    } catch (e) {
      // Thrown at once: applyAsync and imap after the end.
      done([], e);
      (call as { thrown?: boolean }).thrown = true;
      return Promise.resolve();
    }
  };
  try {
    for (let n = 0; n < count; n++) {
      if (n === endAt) end();
      const kind = pick(['apply', 'applyAsync', 'map', 'imap'] as const);
      const single = kind === 'apply' || kind === 'applyAsync';
      const r = random();
      const timeout = r < 0.2 ? between(0, 200) : undefined;
      const abortAfter = r >= 0.2 && r < 0.4 ? between(0, 200) : undefined;
      const items = Array.from({ length: single ? 1 : between(0, 6) }, () => ({
        file,
        id: nextId++,
        fate: fate(),
      }));
      // A hanging item only where something ends it: a timeout, an abort, or terminate().
      const endsHang = timeout !== undefined || abortAfter !== undefined || ending === 'terminate';
      const fixed = items.map((i) =>
        i.fate.kind === 'hang' && !endsHang ? { ...i, fate: { kind: 'ok' } as const } : i,
      );
      const call: Call = {
        n,
        kind,
        items: fixed,
        ...(timeout !== undefined ? { timeout } : {}),
        ...(abortAfter !== undefined ? { abortAfter } : {}),
        aborted: false,
        late: ended,
        settles: 0,
        values: [],
      };
      calls.push(call);
      pending.push(submit(call));
      if (random() < 0.5) await pause(between(0, 40));
    }
    if (!ended) {
      if (random() < 0.7) await pause(between(0, 300));
      end();
    }
    await within(Promise.all([endPromise, ...pending]), SCHEDULE_LIMIT_MS, () => {
      const open = calls
        .filter((c) => c.settles === 0)
        .map((c) => `#${c.n} ${c.kind}(${c.items.map((i) => i.fate.kind)})`);
      return `the pool's end did not settle; unsettled: ${open.join(' | ')}; ${JSON.stringify(pool.stats?.() ?? {})}`;
    });
  } catch (error) {
    faults.push(`${(error as Error).message}`);
    await pool.terminate().catch(() => {});
  } finally {
    clearInterval(killer);
    clearInterval(sampler);
  }
  await pause(20);
  const allowed = new Set([
    'ChaosTaskError',
    'WorkerCrashedError',
    'TimeoutError',
    'AbortError',
    'PoolClosedError',
    'RangeError',
    'WorkerStartError',
  ]);
  for (const call of calls) {
    const what = `#${call.n} ${call.kind}(${call.items.map((i) => `${i.id}:${i.fate.kind}`).join(',')})${call.timeout !== undefined ? ` timeout=${call.timeout}` : ''}${call.abortAfter !== undefined ? ` abort@${call.abortAfter}` : ''}${call.late ? ' late' : ''}`;
    const error = call.error as Error | undefined;
    const outcome =
      error === undefined ? `ok ${JSON.stringify(call.values)}` : `${error?.name}: ${error?.message}`;
    if (call.settles !== 1) faults.push(`${what} settled ${call.settles} times`);
    if (call.late) {
      const thrown = (call as { thrown?: boolean }).thrown === true;
      const atOnce = call.kind === 'applyAsync' || call.kind === 'imap';
      if (error?.name !== 'PoolClosedError' || thrown !== atOnce)
        faults.push(`${what} after the end: ${thrown ? 'threw' : 'gave'} ${outcome}`);
      continue;
    }
    if (!call.values.every((v, i) => v === expected(call.items[i]!.id)))
      faults.push(`${what}: wrong values -> ${outcome}`);
    if (error === undefined) {
      if (call.values.length !== call.items.length) faults.push(`${what}: too few values -> ${outcome}`);
      const bad = call.items.find((i) => i.fate.kind === 'throw' || i.fate.kind === 'hang');
      if (bad) faults.push(`${what}: resolved although item ${bad.id} was ${bad.fate.kind}`);
      continue;
    }
    if (!allowed.has(error?.name)) faults.push(`${what}: ${outcome}`);
    if (error?.name === 'TimeoutError' && call.timeout === undefined) faults.push(`${what}: ${outcome}`);
    if (error?.name === 'AbortError' && !call.aborted) faults.push(`${what}: ${outcome}`);
    if (error?.name === 'RangeError' && failShare === 0) faults.push(`${what}: ${outcome}`);
    if (error?.name === 'ChaosTaskError' && !call.items.some((i) => i.fate.kind === 'throw'))
      faults.push(`${what}: ${outcome}`);
    if (error?.name === 'PoolClosedError' && ending === 'close')
      faults.push(`${what}: ${outcome} with close()`);
    if (error?.name === 'WorkerCrashedError' && kills === 0) faults.push(`${what}: ${outcome} with no kill`);
  }
  if (process.env.MULTIPROC_CHAOS60_VERBOSE) {
    const tally: Record<string, number> = {};
    for (const c of calls) {
      const k = `${c.late ? 'late ' : ''}${(c.error as Error | undefined)?.name ?? 'ok'}`;
      tally[k] = (tally[k] ?? 0) + 1;
    }
    console.log(
      `chaos60 pool seed ${seed}: ${JSON.stringify({ ...config, most, workers: pids.size, tally })}`,
    );
  }
  if (most > processes)
    faults.push(`${most} worker processes alive at once (pids ${mostAt}), processes: ${processes}`);
  for (let i = 0; i < 100 && [...pids].some(isRunning); i++) await pause(20);
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  return watch.end(faults, config, { pids, tries: 100 });
}

describe("a 'process' Pool ended at a random point, its workers killed at random", () => {
  it(`every call settles once with its value or a named error, the worker count holds, nothing is left (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (SCHEDULE_LIMIT_MS + 10_000),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await schedule(seed);
      for (const f of found) console.log(`chaos60 pool FAULT seed ${seed}: ${f}`);
      faults.push(...found);
    }
    console.log(`chaos60 pool: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
