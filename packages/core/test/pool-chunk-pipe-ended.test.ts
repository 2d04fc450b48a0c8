// Pipe ends in a pool call's arguments, the cases session 59's fix (pool-args-holder-ended.test.ts)
// left open:
// - an item of a `map`/`starmap`/`imap` chunk: a worker that ended running the chunk did not end
//   the copies among its items (a chunk's entry had no `holderEnded`), so the pipe learnt of it only
//   when the worker's link closed, which in the thread context can come after the call rejected;
// - a call or a map stopped by its timeout or its signal: it rejects before its worker is stopped,
//   and a send right after the rejection still succeeded (the worker still counted as a reader).
// In both, a send on the other end after the rejection throws BrokenPipeError now, as it does once
// a `Process` that held the pipe end was joined.
import { WorkerCrashedError } from '@multiproc/core';
import { BrokenPipeError, type Connection, Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/pipe-arg-ended-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const END_KEY = Symbol.for('multiproc.ipc.endEncoded');
const globals = globalThis as Record<symbol, unknown>;
// ipc installs its hook as it encodes its first copy: the one a test wraps is put back after it.
let wrapped: unknown;

afterEach(() => {
  if (wrapped !== undefined) globals[END_KEY] = wrapped;
  wrapped = undefined;
});

type Pool = ReturnType<typeof makePool>;
/** Starts the call with `b`; `heard` resolves once the worker running it sent its pid on the pipe. */
type Run = (pool: Pool, b: Connection<number | string>, heard: Promise<void>) => Promise<unknown>;

/** Runs `run` with the end `b` of a new pipe; resolves to what a send on `a` does once it settled. */
async function sendAfter(
  pool: Pool,
  run: Run,
  rejects: (error: unknown) => void,
  order?: string[],
): Promise<string> {
  const [a, b] = Pipe<number | string>();
  let heard!: () => void;
  const call = run(
    pool,
    b,
    new Promise<void>((resolve) => {
      heard = resolve;
    }),
  );
  b.close();
  expect(typeof (await a.recv())).toBe('number'); // the worker holds it (ipc's hook is installed)
  heard();
  if (order) {
    const end = (wrapped = globals[END_KEY]) as (value: unknown) => void;
    globals[END_KEY] = (value: unknown) => {
      order.push('ended');
      end(value);
    };
  }
  rejects(
    await call.then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
  try {
    a.send('x');
    return 'sent';
  } catch (error) {
    return error instanceof BrokenPipeError ? 'BrokenPipeError' : String(error);
  } finally {
    a.close();
  }
}

const crashed = (error: unknown) => expect(error).toBeInstanceOf(WorkerCrashedError);
const stopped = (name: string) => (error: unknown) => expect((error as Error).name).toBe(name);

const CHUNKS: [string, Run][] = [
  ['map', (pool, b) => pool.map(t.sendPidThenExit, [b])],
  ['starmap', (pool, b) => pool.starmap(t.sendPidThenExit, [[b]])],
  [
    'imap',
    async (pool, b) => {
      for await (const _ of pool.imap(t.sendPidThenExit, [b])) void _;
    },
  ],
];

describe.each(['thread', 'process'] as const)('pipe ends in pool call arguments (%s)', (context) => {
  it.each(CHUNKS)(
    '%s: an item whose worker ended is ended before the call rejects',
    {
      timeout: 60_000,
    },
    async (_, run) => {
      const pool = makePool({ processes: 1, context });
      const order: string[] = [];
      const outcome = await sendAfter(
        pool,
        run,
        (error) => {
          order.push('rejected');
          crashed(error);
        },
        order,
      );
      expect(order).toEqual(['ended', 'rejected']);
      expect(outcome).toBe('BrokenPipeError');
    },
  );

  // A stop comes only once the worker holds the pipe end: an abort when its pid arrived, a timeout
  // on a pool whose worker has started and loaded the module (a cold process worker on a loaded
  // machine can take longer than the timeout just to start, and would never hold the end).
  const abortWhen = (heard: Promise<void>) => {
    const controller = new AbortController();
    void heard.then(() => controller.abort());
    return { signal: controller.signal };
  };
  const stops: [string, Run, string][] = [
    ['apply, timeout', (pool, b) => pool.apply(t.sendPidThenStay, [b], { timeout: 1000 }), 'TimeoutError'],
    ['map, timeout', (pool, b) => pool.map(t.sendPidThenStay, [b], { timeout: 1000 }), 'TimeoutError'],
    ['apply, abort', (pool, b, heard) => pool.apply(t.sendPidThenStay, [b], abortWhen(heard)), 'AbortError'],
    [
      'starmap, abort',
      (pool, b, heard) => pool.starmap(t.sendPidThenStay, [[b]], abortWhen(heard)),
      'AbortError',
    ],
  ];
  it.each(stops)(
    '%s: a send after the rejection throws BrokenPipeError',
    {
      timeout: 60_000,
    },
    async (_, run, name) => {
      const pool = makePool({ processes: 1, context });
      expect(await pool.apply(t.ready, [])).toBe('ready');
      expect(await sendAfter(pool, run, stopped(name))).toBe('BrokenPipeError');
    },
  );
});
