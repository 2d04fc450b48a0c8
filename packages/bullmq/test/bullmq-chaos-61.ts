// Randomized schedules of a `@multiproc/bullmq` Pool on a real Redis and real `multiproc-worker`
// processes (guide, Scaling out: Faults and guarantees, Keys and cleanup). Per seed: a private
// redis-server (with persistence or without), 1-3 worker processes (local concurrency 1-3), a Pool,
// and a random schedule of apply/applyAsync/map/starmap/imap/imapUnordered calls whose items
// return, throw, sleep or return a large value (over 64 KiB: through a key of its own), some with
// a `timeout` or an AbortSignal aborted at a random moment; meanwhile, at random moments, a worker
// is SIGKILLed, SIGTERMed (a short `--grace`) or SIGSTOPped and SIGCONTed, a new worker starts, or
// Redis is frozen briefly (SIGSTOP, SIGCONT) or restarted (killed and started again: with
// persistence the pool goes on, without it the pool is lost); at a random point close() + join()
// or terminate(). Then it checks: every call settled exactly once, with its right value or an error
// the guide gives for what happened (the item's RangeError, TimeoutError, an AbortError,
// WorkerCrashedError only after a worker or Redis fault, PoolClosedError after terminate() or for a
// call made after the end, RedisConnectionError only once Redis lost the pool); imap yields each
// item once and in order, imapUnordered each once; join() or terminate() settles; no unhandled
// rejection; no worker process or Redis left; none of the pool's keys left once its workers are
// gone. A failing schedule prints its seed and config.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { draws, pause, watchSchedule, within } from '../../../test-support/chaos.ts';
import { Pool } from '../dist/index.js';
import { chaosTasks as t } from './fixtures/chaos-61-tasks.mjs';
import { type RedisServer, startRedis } from './redis.js';
import { launchWorkerProcess, SECRET, type WorkerProcess } from './workers.js';

export const CHAOS_TASKS = fileURLToPath(new URL('./fixtures/chaos-61-tasks.mjs', import.meta.url));

/** A call, its calls' join() or terminate(), or the check of the keys, not done in this long is a hang. */
export const LIMIT_MS = 90_000;

/** How late a TimeoutError or AbortError may come on a loaded machine. */
const SLACK_MS = 3000;

type Kind = 'apply' | 'applyAsync' | 'map' | 'starmap' | 'imap' | 'imapUnordered';
type Fate = 'ok' | 'throw' | 'sleep' | 'big';
interface Item {
  readonly id: number;
  readonly fate: Fate;
  readonly ms?: number;
  readonly kib?: number;
  /** A large argument (over 64 KiB: through a key of its own), ignored by the task. */
  readonly pad?: string;
}
type FaultKind = 'kill' | 'term' | 'stop' | 'spawn' | 'freeze' | 'restart';

interface Call {
  readonly n: number;
  readonly kind: Kind;
  readonly items: Item[];
  readonly timeout?: number;
  readonly abortAfter?: number;
  aborted: boolean;
  /** Made after close() or terminate(). */
  readonly late: boolean;
  /** How many times it settled (callbacks of applyAsync included). */
  settles: number;
  callbacks: number;
  /** Thrown at once (applyAsync, imap after the end): no callback runs. */
  thrown?: boolean;
  /** imap: each step, a value or an error; others: one entry. */
  outcomes: ({ value: unknown } | { error: unknown })[];
  /** The error that ended it (a rejection, or the step of an imap that ended its loop). */
  error?: unknown;
  value?: unknown;
  /** An imap step after the loop ended, or a step past its items. */
  extra?: string;
  /** imap: its `chunksize` (none: each item fails alone). */
  chunksize?: number;
  /** When it was made, and when its signal aborted (ms, `performance.now()`). */
  readonly at: number;
  abortedAt?: number;
  /** When it ended with a TimeoutError or an AbortError. */
  endedAt?: number;
}

const expectedValue = (item: Item): unknown =>
  item.fate === 'big' ? { id: item.id, pad: 'x'.repeat((item.kib ?? 0) * 1024) } : item.id * 2;

const nameOf = (e: unknown): string =>
  e !== null && typeof e === 'object' && 'name' in e ? String((e as Error).name) : typeof e;
const describeError = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : String(e);

export interface ScheduleOptions {
  /** Log each step of the schedule (to replay one by hand). */
  readonly trace?: boolean;
}

/** Runs one schedule; returns what broke the guide's promises (empty when nothing did). */
export async function schedule(seed: number, { trace = false }: ScheduleOptions = {}): Promise<string[]> {
  const { random, between, pick } = draws(seed);
  const log = (...what: unknown[]) => {
    if (trace) console.log(`[${seed}]`, ...what);
  };
  const faults: string[] = [];
  const persistent = random() < 0.5;
  const workerCount = between(1, 3);
  const concurrencies = Array.from({ length: workerCount }, () => between(1, 3));
  const grace = pick([0, 200, 1000]);
  const count = between(3, 12);
  const endAt = random() < 0.7 ? count : between(0, count);
  const ending = pick(['close', 'terminate'] as const);
  const faultPlan: FaultKind[] = Array.from({ length: random() < 0.8 ? between(1, 4) : 0 }, () =>
    pick(['kill', 'kill', 'term', 'stop', 'spawn', 'freeze', 'freeze', 'restart'] as const),
  );
  const config = { seed, persistent, concurrencies, grace, count, endAt, ending, faultPlan };
  log(config);
  const watch = watchSchedule();
  const redis: RedisServer = await startRedis({ persistent });
  const workers: WorkerProcess[] = [];
  /** Workers not signalled to stop or killed (a frozen one counts: it is thawed). */
  const up = new Set<WorkerProcess>();
  const workerArgs = (concurrency: number) => [
    '--tasks',
    CHAOS_TASKS,
    '--concurrency',
    String(concurrency),
    '--lock-duration',
    '2000',
    '--stalled-interval',
    '500',
    '--ttl',
    '2000',
    '--grace',
    String(grace),
  ];
  const spawnWorker = async (concurrency: number) => {
    const { worker, connected } = launchWorkerProcess(redis.url, workerArgs(concurrency));
    workers.push(worker);
    up.add(worker);
    await connected.catch((e) => faults.push(`a worker did not start: ${describeError(e)}`));
    return worker;
  };
  let pool: Pool | undefined;
  const calls: Call[] = [];
  const pending: Promise<void>[] = [];
  /** Whether a fault that may cost a job its worker (killed, stopped, frozen Redis) has come. */
  let crashy = false;
  /** Whether Redis came back empty (the pool is lost: RedisConnectionError from then on). */
  let lost = false;
  let ended = false;
  let endPromise: Promise<unknown> = Promise.resolve();
  let endError: unknown;
  try {
    await Promise.all(concurrencies.map(spawnWorker));
    pool = new Pool({
      connection: redis.url,
      secret: SECRET,
      processes: concurrencies.reduce((a, b) => a + b),
    });
    const p = pool;
    const end = () => {
      ended = true;
      log('end', ending);
      if (ending === 'close') {
        p.close();
        endPromise = p.join();
      } else endPromise = p.terminate();
      endPromise = endPromise.catch((e) => {
        endError = e;
      });
    };

    const faultLoop = (async () => {
      for (const kind of faultPlan) {
        await pause(between(0, 600));
        const alive = [...up];
        log('fault', kind, alive.length);
        if (kind === 'spawn') {
          await spawnWorker(between(1, 3));
          continue;
        }
        if (kind === 'freeze') {
          crashy = true;
          redis.freeze();
          await pause(between(100, 3000));
          redis.thaw();
          continue;
        }
        if (kind === 'restart') {
          crashy = true;
          if (!persistent) lost = true;
          await redis.restart();
          continue;
        }
        if (alive.length === 0) continue;
        const w = pick(alive);
        crashy = true;
        if (kind === 'stop') {
          w.child.kill('SIGSTOP');
          await pause(between(200, 3000));
          w.child.kill('SIGCONT');
          continue;
        }
        up.delete(w);
        w.child.kill(kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
      }
      // Jobs wait for a worker: leave one to serve them.
      if (up.size === 0) await spawnWorker(1);
    })();

    let nextId = 0;
    const fate = (): Item => {
      const r = random();
      const id = nextId++;
      if (r < 0.12) return { id, fate: 'throw' };
      if (r < 0.4) return { id, fate: 'sleep', ms: between(1, random() < 0.3 ? 2500 : 300) };
      if (r < 0.48) return { id, fate: 'big', kib: between(65, 400) };
      if (r < 0.56) return { id, fate: 'ok', pad: 'y'.repeat(between(65, 300) * 1024) };
      return { id, fate: 'ok' };
    };
    const submit = (call: Call): Promise<void> => {
      const controller = new AbortController();
      const options = {
        ...(call.timeout !== undefined ? { timeout: call.timeout } : {}),
        ...(call.abortAfter !== undefined ? { signal: controller.signal } : {}),
      };
      if (call.abortAfter !== undefined)
        setTimeout(() => {
          if (call.settles === 0) {
            call.aborted = true;
            call.abortedAt = performance.now();
            controller.abort(new Error('chaos61 abort'));
          }
        }, call.abortAfter);
      const resolved = (value: unknown) => {
        call.settles++;
        call.value = value;
        call.outcomes.push({ value });
      };
      const rejected = (error: unknown) => {
        call.endedAt ??= performance.now();
        call.settles++;
        call.error = error;
        call.outcomes.push({ error });
      };
      const { items } = call;
      try {
        switch (call.kind) {
          case 'apply':
            return p.apply(t.item, [items[0]!], options).then(resolved, rejected);
          case 'applyAsync': {
            const r = p.applyAsync(t.item, [items[0]!], {
              ...options,
              callback: () => void call.callbacks++,
              errorCallback: () => void call.callbacks++,
            });
            return r.get().then(resolved, rejected);
          }
          case 'map':
            return p.map(t.item, items, { ...options, chunksize: between(1, 3) }).then(resolved, rejected);
          case 'starmap':
            return p
              .starmap(
                t.pair,
                items.map((i) => [i.id, i.fate === 'throw' ? 'throw' : 'ok'] as [number, string]),
                { ...options, ...(random() < 0.5 ? { chunksize: between(1, 3) } : {}) },
              )
              .then(resolved, rejected);
          default: {
            if (random() < 0.5) call.chunksize = between(1, 3);
            const it = (call.kind === 'imap' ? p.imap : p.imapUnordered)
              .call(p, t.item, items, {
                ...options,
                ...(call.chunksize !== undefined ? { chunksize: call.chunksize } : {}),
              })
              [Symbol.asyncIterator]();
            return (async () => {
              for (let step = 0; step <= items.length + 1; step++) {
                try {
                  const r = await it.next();
                  if (r.done) {
                    call.settles++;
                    return;
                  }
                  if (step >= items.length) call.extra = `step ${step} yielded ${JSON.stringify(r.value)}`;
                  call.outcomes.push({ value: r.value });
                } catch (e) {
                  call.outcomes.push({ error: e });
                  call.endedAt ??= performance.now();
                  // The loop goes on after a failed item (its own error, or its worker lost).
                  if (nameOf(e) === 'RangeError' || nameOf(e) === 'WorkerCrashedError') continue;
                  call.error = e;
                  call.settles++;
                  const after = await it.next().then(
                    (r) => (r.done ? undefined : `yielded ${JSON.stringify(r.value)}`),
                    (e2) => `rejected again: ${describeError(e2)}`,
                  );
                  if (after !== undefined) call.extra = `after ${describeError(e)}: ${after}`;
                  return;
                }
              }
              call.extra = `more than ${items.length} steps`;
            })();
          }
        }
      } catch (e) {
        // Thrown at once (applyAsync, imap after the end).
        call.thrown = true;
        rejected(e);
        return Promise.resolve();
      }
    };

    for (let n = 0; n < count; n++) {
      if (n === endAt) end();
      const kind = pick(['apply', 'applyAsync', 'map', 'starmap', 'imap', 'imapUnordered'] as const);
      const single = kind === 'apply' || kind === 'applyAsync';
      const r = random();
      const timeout = r < 0.15 ? between(50, 3000) : undefined;
      const abortAfter = r >= 0.15 && r < 0.3 ? between(0, 1500) : undefined;
      const items = Array.from({ length: single ? 1 : between(0, 6) }, fate);
      const call: Call = {
        n,
        kind,
        items,
        ...(timeout !== undefined ? { timeout } : {}),
        ...(abortAfter !== undefined ? { abortAfter } : {}),
        aborted: false,
        at: performance.now(),
        late: ended,
        settles: 0,
        callbacks: 0,
        outcomes: [],
      };
      calls.push(call);
      log('call', n, kind, items.map((i) => i.fate).join(','), { timeout, abortAfter });
      pending.push(submit(call));
      await pause(between(0, 200));
    }
    if (!ended) {
      // The calls out meet the faults before the end.
      await pause(between(0, 3000));
      end();
    }
    await within(faultLoop, LIMIT_MS, 'the faults');
    await within(endPromise, LIMIT_MS, () => `${ending}: ${JSON.stringify(p.stats())}`).catch((e) =>
      faults.push(describeError(e)),
    );
    if (endError !== undefined) faults.push(`${ending} rejected: ${describeError(endError)}`);
    await within(Promise.all(pending), LIMIT_MS, () => {
      const open = calls.filter((c) => c.settles === 0).map((c) => `${c.n}:${c.kind}`);
      return `calls not settled after ${ending}: ${open.join(' ')}`;
    }).catch((e) => faults.push(describeError(e)));
    await pause(50); // a second settlement, if any, comes now
    for (const call of calls) judge(call, faults, { crashy, lost, ending });
    const tally: Record<string, number> = {};
    for (const call of calls)
      for (const o of call.outcomes) {
        const k = 'error' in o ? nameOf(o.error) : 'value';
        tally[k] = (tally[k] ?? 0) + 1;
      }
    log('outcomes', JSON.stringify(tally));
    // The pool's keys: gone at once when no worker or Redis was stopped (nothing can write back).
    const keyPrefix = p.keyPrefix;
    if (!faultPlan.some((f) => f === 'stop' || f === 'freeze' || f === 'restart')) {
      const left = await redis.client.keys(`${keyPrefix}*`);
      if (left.length > 0) faults.push(`keys left after ${ending}: ${left.slice(0, 8).join(' ')}`);
    }
    await Promise.all(workers.map((w) => w.stop('SIGTERM', 15_000)));
    let left: string[] = [];
    for (let i = 0; i < 50; i++) {
      left = (await redis.client.keys('*')).filter((k) => k.includes(':pool-'));
      if (left.length === 0) break;
      await pause(100);
    }
    if (left.length > 0) faults.push(`keys left once the workers stopped: ${left.slice(0, 8).join(' ')}`);
  } catch (e) {
    faults.push(`schedule threw: ${describeError(e)}`);
  } finally {
    if (pool)
      await within(pool.terminate(), LIMIT_MS, 'the last terminate()').catch((e) => faults.push(String(e)));
    for (const w of workers) w.child.kill('SIGCONT');
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await redis.stop();
  }
  return watch.end(faults, config, { pids: workers.map((w) => w.pid), tries: 100 });
}

/** Adds to `faults` what `call`'s settlement breaks. */
function judge(
  call: Call,
  faults: string[],
  { crashy, lost, ending }: { crashy: boolean; lost: boolean; ending: 'close' | 'terminate' },
): void {
  const say = (what: string): void => {
    faults.push(`call ${call.n} (${call.kind}${call.late ? ', late' : ''}): ${what}`);
  };
  if (call.settles !== 1) say(`settled ${call.settles} times`);
  if (call.kind === 'applyAsync' && call.settles === 1 && !call.thrown && call.callbacks !== 1)
    say(`its callbacks ran ${call.callbacks} times`);
  if (call.extra) say(call.extra);
  // A timeout or an abort ends the call at once (Redis frozen or not): SLACK_MS for a loaded machine.
  const name = nameOf(call.error);
  if (name === 'TimeoutError' && call.endedAt! - call.at > call.timeout! + SLACK_MS)
    say(
      `its TimeoutError came ${Math.round(call.endedAt! - call.at)} ms after the call (timeout ${call.timeout})`,
    );
  if (name === 'AbortError' && call.endedAt! - call.abortedAt! > SLACK_MS)
    say(`its AbortError came ${Math.round(call.endedAt! - call.abortedAt!)} ms after the abort`);
  const throws = new Set(call.items.filter((i) => i.fate === 'throw').map((i) => i.id));
  /** Whether `e` is an error this call may end with (not counting an item's own RangeError). */
  const allowed = (e: unknown): boolean => {
    const name = nameOf(e);
    if (call.late) return name === 'PoolClosedError' || (lost && name === 'RedisConnectionError');
    if (name === 'TimeoutError') return call.timeout !== undefined;
    if (name === 'AbortError') return call.aborted;
    if (name === 'PoolClosedError') return ending === 'terminate';
    if (name === 'WorkerCrashedError') return crashy;
    if (name === 'RedisConnectionError') return lost;
    return false;
  };
  const itemError = (e: unknown, among: Set<number>) =>
    nameOf(e) === 'RangeError' && [...among].some((id) => (e as Error).message === `chaos ${id}`);
  if (call.kind === 'imap' || call.kind === 'imapUnordered') {
    // What the loop yields, in order: with `chunksize` a chunk is one task, its items after a
    // failed one never run; without, each item fails alone.
    const size = call.chunksize ?? 1;
    const expected: { item: Item; chunk: number }[] = [];
    for (let c = 0; c * size < call.items.length; c++) {
      for (const item of call.items.slice(c * size, (c + 1) * size)) {
        expected.push({ item, chunk: c });
        if (item.fate === 'throw') break;
      }
    }
    const end = call.error;
    if (end !== undefined && !allowed(end)) say(`ended with ${describeError(end)}`);
    const steps = end === undefined ? call.outcomes : call.outcomes.slice(0, -1);
    const show = (o: (typeof steps)[number]) =>
      'value' in o ? JSON.stringify(o.value).slice(0, 60) : describeError(o.error);
    const matches = (o: (typeof steps)[number], item: Item) =>
      'value' in o
        ? item.fate !== 'throw' && isDeepStrictEqual(o.value, expectedValue(item))
        : item.fate === 'throw' && itemError(o.error, new Set([item.id]));
    let crashed = false;
    if (call.kind === 'imap') {
      let at = 0;
      for (const [i, o] of steps.entries()) {
        const want = expected[at];
        if ('error' in o && nameOf(o.error) === 'WorkerCrashedError' && crashy) {
          // Its chunk is lost: what the loop yields next is any later item.
          crashed = true;
          const chunk = want?.chunk;
          while (expected[at] && expected[at]!.chunk === chunk) at++;
          continue;
        }
        if (!want) {
          say(`step ${i} ${show(o)} past the items`);
          continue;
        }
        if (matches(o, want.item)) {
          at++;
          continue;
        }
        const found = crashed ? expected.findIndex((e, k) => k > at && matches(o, e.item)) : -1;
        if (found >= 0) at = found + 1;
        else {
          say(`step ${i} ${show(o)} for item ${JSON.stringify(want.item).slice(0, 80)}`);
          at++;
        }
      }
      if (end === undefined && !crashed && at !== expected.length)
        say(`${steps.length} steps for ${expected.length} outcomes (chunksize ${call.chunksize})`);
    } else {
      const seen = new Set<number>();
      for (const [i, o] of steps.entries()) {
        if ('error' in o && nameOf(o.error) === 'WorkerCrashedError' && crashy) {
          crashed = true;
          continue;
        }
        const e = expected.find((x) => matches(o, x.item));
        if (!e) say(`step ${i} ${show(o)}: no item's outcome`);
        else {
          if (seen.has(e.item.id)) say(`item ${e.item.id} yielded twice`);
          seen.add(e.item.id);
        }
      }
      if (end === undefined && !crashed && seen.size !== expected.length)
        say(`${steps.length} steps for ${expected.length} outcomes (chunksize ${call.chunksize})`);
    }
    return;
  }
  if (call.settles === 0) return;
  if (call.error !== undefined) {
    if (!(allowed(call.error) || (!call.late && itemError(call.error, throws))))
      say(
        `rejected ${describeError(call.error)}${call.items.length ? ` (items ${JSON.stringify(call.items).slice(0, 200)})` : ''}`,
      );
    return;
  }
  if (call.late) {
    say(`resolved after the end: ${JSON.stringify(call.value).slice(0, 80)}`);
    return;
  }
  if (throws.size > 0) {
    say(`resolved though item(s) ${[...throws].join(',')} throw`);
    return;
  }
  const want =
    call.kind === 'apply' || call.kind === 'applyAsync'
      ? expectedValue(call.items[0]!)
      : call.kind === 'starmap'
        ? call.items.map((i) => i.id * 2)
        : call.items.map(expectedValue);
  if (!isDeepStrictEqual(call.value, want))
    say(`resolved ${JSON.stringify(call.value).slice(0, 120)}, not ${JSON.stringify(want).slice(0, 120)}`);
}

/** Starts `node -e "for(;;){}"` in a process group of its own (the other core busy); returns its stop. */
export function busyCore(): () => void {
  const child = spawn(process.execPath, ['-e', 'for(;;){}'], { detached: true, stdio: 'ignore' });
  child.unref();
  return () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  };
}
