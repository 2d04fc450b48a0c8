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
type Run = (pool: Pool, b: Connection<number | string>) => Promise<unknown>;

/** Runs `run` with the end `b` of a new pipe; resolves to what a send on `a` does once it settled. */
async function sendAfter(
  pool: Pool,
  run: Run,
  rejects: (error: unknown) => void,
  order?: string[],
): Promise<string> {
  const [a, b] = Pipe<number | string>();
  const call = run(pool, b);
  b.close();
  expect(typeof (await a.recv())).toBe('number'); // the worker holds it (ipc's hook is installed)
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

  const stops: [string, Run, string][] = [
    ['apply, timeout', (pool, b) => pool.apply(t.sendPidThenStay, [b], { timeout: 300 }), 'TimeoutError'],
    ['map, timeout', (pool, b) => pool.map(t.sendPidThenStay, [b], { timeout: 300 }), 'TimeoutError'],
    [
      'apply, abort',
      (pool, b) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 300);
        return pool.apply(t.sendPidThenStay, [b], { signal: controller.signal });
      },
      'AbortError',
    ],
    [
      'starmap, abort',
      (pool, b) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 300);
        return pool.starmap(t.sendPidThenStay, [[b]], { signal: controller.signal });
      },
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
      expect(await sendAfter(pool, run, stopped(name))).toBe('BrokenPipeError');
    },
  );
});
