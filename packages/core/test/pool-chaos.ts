// Chaos: concurrent applyAsync, map, imap and imapUnordered calls while workers die at random
// (process.exit from a task, an uncaught error thrown later, out of memory under resourceLimits,
// and SIGKILL from outside for child processes). Every call must settle; no call that was not
// running when its worker died may fail, none may run twice, none may return a wrong result, and
// no worker may be left behind. A call was running if its code had started and not ended (for the
// map forms: one of its chunks had, a chunk being one task). A SIGKILL from outside is sent only
// while a victim's code surely runs, so it cannot land between calls, where the pool has already
// committed the next call's start and the trace has no line for it yet. About 20 s of rounds per context with a fixed seed in CI
// (MULTIPROC_CHAOS_MS, MULTIPROC_CHAOS_SEED to change them); for a soak,
// `pnpm --filter @multiproc/core soak` (MULTIPROC_SOAK_MINUTES per context, random seed).
// Each context has its own test file (pool-chaos-thread, pool-chaos-process), so the two run side by side.
import { Pool, WorkerCrashedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { draws, isRunning, within } from '../../../test-support/chaos.ts';
import { type Behaviour, expected, failureTasks as t } from './fixtures/failure-tasks.ts';
import { makeTrace } from './trace.ts';

const SOAK_MINUTES = Number(process.env.MULTIPROC_SOAK_MINUTES ?? 0);
const RUN_MS = SOAK_MINUTES > 0 ? SOAK_MINUTES * 60_000 : Number(process.env.MULTIPROC_CHAOS_MS ?? 20_000);
const SEED = Number(
  process.env.MULTIPROC_CHAOS_SEED ?? (SOAK_MINUTES > 0 ? Date.now() % 2 ** 31 : 20_261_130),
);
/** A round that has not settled after this long is a hang (a busy machine restarts workers slowly). */
const ROUND_LIMIT_MS = 120_000;
const VICTIM_MS = 400;
/** A victim is killed only this soon after its start line: well before its sleep can end. */
const KILL_WITHIN_MS = VICTIM_MS / 2;

interface Call {
  readonly ids: number[];
  /** Items per task: 1 for an apply call, the chunksize for the map forms. */
  readonly chunksize: number;
  settled: boolean;
  /** Resolves to the values the call gave (before failing, for imap), and its error if it failed. */
  readonly done: Promise<{ values: unknown[]; error?: unknown }>;
  readonly check: (values: unknown[]) => boolean;
}

interface Tally {
  rounds: number;
  calls: number;
  settled: number;
  innocent: number;
  twice: number;
  wrong: number;
  unexpected: number;
  crashes: number;
  kills: number;
}

/** Declares the chaos test of one context (call it at the top level of a test file). */
export function describeChaos(context: 'thread' | 'process'): void {
  describe(`Pool chaos in ${context} context`, () => {
    it(`settles every call, fails only the running ones, runs none twice (seed ${SEED})`, {
      timeout: RUN_MS + 2 * ROUND_LIMIT_MS,
    }, async () => {
      const { random, between } = draws(SEED);
      const trace = makeTrace();
      const pool = new Pool({ processes: 3, context, resourceLimits: { maxOldGenerationSizeMb: 64 } });
      const created = new Set<number>();
      const destroyed = new Set<number>();
      const pids = new Set<number>();
      const tally: Tally = {
        rounds: 0,
        calls: 0,
        settled: 0,
        innocent: 0,
        twice: 0,
        wrong: 0,
        unexpected: 0,
        crashes: 0,
        kills: 0,
      };
      pool.on('workerCreate', (w) => {
        created.add(w.id);
        pids.add(w.pid);
      });
      pool.on('workerDestroy', (w) => destroyed.add(w.id));
      pool.on('crash', () => tally.crashes++);
      const victims = new Set<number>();
      const killed = new Set<string>();
      let nextId = 0;
      const behaviour = (id: number): Behaviour => {
        const r = random();
        if (r < 0.015) return { kind: 'exit', code: between(3, 9) };
        if (r < 0.03) return { kind: 'throwLater', ms: between(1, 30) };
        if (r < 0.033) return { kind: 'oom' };
        if (r < 0.09) return { kind: 'sleep', ms: between(2, 30) };
        if (r < 0.14) return { kind: 'spin', ms: between(1, 4) };
        if (context === 'process' && r < 0.16) {
          victims.add(id);
          return { kind: 'sleep', ms: VICTIM_MS };
        }
        return { kind: 'ok' };
      };
      const item = () => {
        const id = nextId++;
        return { file: trace.file, id, behaviour: behaviour(id) };
      };
      const killer =
        context === 'process'
          ? setInterval(() => {
              // SIGKILL from outside, at a random moment of a call whose code surely runs.
              const { starts, ends, workers, startedAt } = trace.read();
              const now = Date.now();
              const running = [...victims].filter(
                (id) => starts.has(id) && !ends.has(id) && now - startedAt.get(id)! < KILL_WITHIN_MS,
              );
              const id = running[Math.floor(random() * running.length)];
              const worker = id === undefined ? undefined : workers.get(id)![0]!;
              if (!worker || killed.has(worker)) return;
              killed.add(worker);
              tally.kills++;
              try {
                process.kill(Number(worker.split(':')[0]), 'SIGKILL');
              } catch {
                // it died on its own meanwhile
              }
            }, 97)
          : undefined;
      const calls: Call[] = [];
      const started = performance.now();
      try {
        while (performance.now() - started < RUN_MS) {
          const round: Call[] = [];
          for (let n = between(10, 30); n > 0; n--) {
            const { file, id, behaviour: b } = item();
            const result = pool.applyAsync(t.traced, [file, id, b]);
            round.push(
              settle(
                [id],
                1,
                result.then((v) => [v]),
              ),
            );
          }
          for (const kind of ['map', 'imap', 'imapUnordered'] as const) {
            const items = Array.from({ length: between(4, 24) }, item);
            const chunksize = between(1, 4);
            const ids = items.map((i) => i.id);
            if (kind === 'map')
              round.push(settle(ids, chunksize, pool.map(t.tracedItem, items, { chunksize })));
            else
              round.push(
                settle(
                  ids,
                  chunksize,
                  drain(pool[kind](t.tracedItem, items, { chunksize })),
                  kind === 'imap',
                ),
              );
          }
          await within(Promise.all(round.map((c) => c.done)), ROUND_LIMIT_MS, () => {
            const { starts, ends } = trace.read();
            const open = round
              .filter((c) => !c.settled)
              .map((c) => c.ids.map((id) => `${id}:${starts.get(id) ?? 0}${ends.has(id) ? 'E' : ''}`));
            return `round ${tally.rounds} did not settle: ${JSON.stringify({ stats: pool.stats(), open })}`;
          });
          calls.push(...round);
          tally.rounds++;
        }
      } finally {
        clearInterval(killer);
        await pool.terminate();
      }
      const { starts, ends } = trace.read();
      // A task (a call, a map chunk) was running if some of its items started and not all ended.
      const wasRunning = (task: number[]) =>
        task.some((id) => starts.has(id)) && !task.every((id) => ends.has(id));
      for (const call of calls) {
        const { values, error } = await call.done;
        tally.calls++;
        tally.settled++;
        if (!call.check(values)) tally.wrong++;
        if (error === undefined) continue;
        if (!(error instanceof WorkerCrashedError)) tally.unexpected++;
        if (!tasksOf(call).some(wasRunning)) {
          tally.innocent++;
          const ids = call.ids.map((id) => `${id}:${starts.get(id) ?? 0}${ends.has(id) ? 'E' : ''}`);
          console.log(`innocent ${context}: ${ids.join(' ')} ${(error as Error).message}`);
        }
      }
      for (const n of starts.values()) if (n > 1) tally.twice++;
      const workersLeft =
        created.size -
        destroyed.size +
        [...pids].filter((pid) => pid !== process.pid && isRunning(pid)).length;
      trace.remove();
      console.log(
        `chaos ${context} seed ${SEED}: ${JSON.stringify({ ...tally, workersLeft, workers: created.size })}`,
      );
      expect(tally.rounds).toBeGreaterThan(0);
      expect({ ...tally, workersLeft }).toMatchObject({
        settled: tally.calls,
        innocent: 0,
        twice: 0,
        wrong: 0,
        unexpected: 0,
        workersLeft: 0,
      });
    });
  });
}

/** Consumes an imap, keeping what it yielded before it failed. */
async function drain(results: AsyncIterable<unknown>): Promise<unknown[] & { error?: unknown }> {
  const values: unknown[] & { error?: unknown } = [];
  try {
    for await (const v of results) values.push(v);
  } catch (error) {
    values.error = error;
  }
  return values;
}

/** The ids of each task of a call, in the pool's chunks (`chunksize` items each, in order). */
function tasksOf(call: Call): number[][] {
  const tasks: number[][] = [];
  for (let i = 0; i < call.ids.length; i += call.chunksize) tasks.push(call.ids.slice(i, i + call.chunksize));
  return tasks;
}

/** A call of the chaos: `ordered` results must come back in input order (map, imap). */
function settle(
  ids: number[],
  chunksize: number,
  promise: Promise<unknown[] & { error?: unknown }>,
  ordered = true,
): Call {
  const want = ids.map(expected);
  const call: Call = {
    ids,
    chunksize,
    settled: false,
    done: promise.then(
      (values) => ({ values, ...(values.error === undefined ? {} : { error: values.error }) }),
      (error: unknown) => ({ values: [], error }),
    ),
    check: (values) => {
      if (ordered) return values.every((v, i) => v === want[i]);
      const got = new Set(want);
      return values.every((v) => got.delete(v as number));
    },
  };
  void call.done.then(() => {
    call.settled = true;
  });
  return call;
}
