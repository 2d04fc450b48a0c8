// A pipe end in a pool call's arguments that is itself a copy whose home is this thread (it came
// back through a queue, as an end a Process or a worker returned does): the copy for the worker was
// made over the copy's socket to this very thread, and so was the call's keeper (a reservation kept
// for a retry), whose release went over that socket too. When the call's worker crashed, or the
// call was stopped by its timeout or signal, a send on the other end right after the rejection still
// succeeded (in 6 cases of 6). The home makes both now, as for its own end
// (pool-args-holder-ended.test.ts, pool-chunk-pipe-ended.test.ts), so the send throws BrokenPipeError.
import { BrokenPipeError, type Connection, Pipe, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/pipe-arg-ended-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
type Pool = ReturnType<typeof makePool>;
type End = Connection<number | string>;
type Run = (pool: Pool, b: End, heard: Promise<void>) => Promise<unknown>;

/** A copy of `b` made by a queue's round trip: its home is this thread, and it is not the home's handle. */
async function copyOf(b: End): Promise<End> {
  const q = new Queue<End>();
  await q.put(b);
  const copy = await q.get();
  q.close();
  return copy;
}

/** Runs `run` with a copy of a new pipe's end `b`; resolves to its rejection's name and what a send on `a` did then. */
async function sendAfter(pool: Pool, run: Run): Promise<[string, string]> {
  const [a, b] = Pipe<number | string>();
  const copy = await copyOf(b);
  b.close();
  let heard!: () => void;
  const call = run(pool, copy, new Promise<void>((resolve) => (heard = resolve)));
  copy.close();
  expect(typeof (await a.recv())).toBe('number'); // the worker holds its copy
  heard();
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  try {
    a.send('x');
    return [(error as Error)?.name, 'sent'];
  } catch (e) {
    return [(error as Error)?.name, e instanceof BrokenPipeError ? 'BrokenPipeError' : String(e)];
  } finally {
    a.close();
  }
}

const abortWhen = (heard: Promise<void>) => {
  const controller = new AbortController();
  void heard.then(() => controller.abort());
  return { signal: controller.signal };
};

const CASES: [string, Run, string][] = [
  ['apply, crash', (pool, b) => pool.apply(t.sendPidThenExit, [b]), 'WorkerCrashedError'],
  ['map, crash', (pool, b) => pool.map(t.sendPidThenExit, [b]), 'WorkerCrashedError'],
  ['apply, timeout', (pool, b) => pool.apply(t.sendPidThenStay, [b], { timeout: 1000 }), 'TimeoutError'],
  [
    'starmap, abort',
    (pool, b, heard) => pool.starmap(t.sendPidThenStay, [[b]], abortWhen(heard)),
    'AbortError',
  ],
];

describe.each(['thread', 'process'] as const)(
  'a copy of a pipe end in pool call arguments (%s)',
  (context) => {
    it.each(CASES)(
      '%s: a send after the rejection throws BrokenPipeError',
      { timeout: 60_000 },
      async (_, run, name) => {
        const pool = makePool({ processes: 1, context });
        expect(await pool.apply(t.ready, [])).toBe('ready'); // started: a timeout stops a worker that holds the end
        expect(await sendAfter(pool, run)).toEqual([name, 'BrokenPipeError']);
      },
    );
  },
);
