/**
 * Fuzzed round trips: any structured-cloneable value (typed arrays, Maps, Sets, Dates, bigints,
 * sparse arrays, -0, NaN, boxed primitives, deep nesting) sent through a `Pipe` and a `Queue` to
 * a worker and back, and through a pool task, arrives equal to what `structuredClone()` gives,
 * in both contexts. fast-check with a fixed seed, so a failure replays.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { Pool, Process } from '@multiproc/core';
import { Pipe, Queue } from '@multiproc/ipc';
import fc from 'fast-check';
import { fail, newReport, type SuiteReport, within } from '../report.js';
import { tasks } from '../tasks.js';
import type { Context, SuiteOptions } from './options.js';

const LEG_MS = 30_000;

/** Any value the structured-clone algorithm takes (functions and symbols left out). */
export const cloneable = (depth = 4) =>
  fc.anything({
    maxDepth: depth,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
  });

/**
 * Arrays and objects nested `n` deep around a leaf value, within what the codec sends (1000
 * levels, counting the Queue leg's `{ v }` and a task's argument list; deeper is refused with
 * `SerializationError`, tested in shared's codec-limits and core's pool-deep-input).
 */
export const deeplyNested = fc
  .tuple(fc.integer({ min: 50, max: 990 }), fc.anything({ maxDepth: 1 }))
  .map(([n, leaf]) => {
    let v: unknown = leaf;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { v };
    return v;
  });

/** Round-trips fuzzed values through a Pipe, a Queue and a pool task in `context`. */
export async function fuzzRoundTrips(context: Context, options: SuiteOptions): Promise<SuiteReport> {
  const report = newReport(`fuzz-round-trip-${context}`);
  const started = Date.now();
  const [mine, theirs] = Pipe();
  const inbox = new Queue();
  const outbox = new Queue<{ v: unknown }>();
  const echo = new Process({ target: tasks.echoLoop, args: [theirs, inbox, outbox], context });
  const pool = new Pool({ processes: 1, context });
  echo.start();
  theirs.close();
  const legs: Array<[string, (v: unknown) => Promise<unknown>]> = [
    [
      'Pipe',
      (v) => {
        mine.send(v);
        return within(mine.recv(), LEG_MS, 'Pipe recv');
      },
    ],
    [
      'Queue',
      async (v) => {
        await inbox.put({ v });
        return (await within(outbox.get(), LEG_MS, 'Queue get')).v;
      },
    ],
    ['pool task', (v) => within(pool.apply(tasks.identity, [v]), LEG_MS, 'pool.apply')],
  ];
  try {
    const result = await fc.check(
      fc.asyncProperty(fc.oneof(cloneable(), deeplyNested), async (value) => {
        const want = structuredClone(value);
        for (const [leg, send] of legs) {
          const got = await send(value).catch((err: Error) => {
            throw new Error(`${leg}: ${err?.name}: ${err?.message}`);
          });
          report.settled++;
          if (!isDeepStrictEqual(got, want)) throw new Error(`${leg} changed the value`);
        }
        report.rounds++;
      }),
      { numRuns: options.rounds, seed: options.seed ?? 1, endOnFailure: true },
    );
    if (result.failed) {
      report.lost++;
      fail(report, `seed ${result.seed} path ${result.counterexamplePath}: ${String(result.errorInstance)}`);
      fail(
        report,
        `counterexample: depth ${depthOf(result.counterexample?.[0])}: ${show(result.counterexample)}`,
      );
    }
  } finally {
    mine.close();
    await inbox.put('stop');
    await within(echo.join(), LEG_MS, 'the echo process').catch(() => echo.kill());
    await pool.terminate();
  }
  report.durationMs = Date.now() - started;
  return report;
}

// fast-check's own stringify recurses once per level: a 1500-deep value overflows the stack.
function show(value: unknown): string {
  return inspect(value, { depth: 6, maxArrayLength: 20, breakLength: Number.POSITIVE_INFINITY }).slice(
    0,
    1500,
  );
}

function depthOf(value: unknown): number {
  let n = 0;
  for (let v = value; typeof v === 'object' && v !== null; n++)
    v = Array.isArray(v) ? v[0] : (v as { v?: unknown }).v;
  return n;
}
