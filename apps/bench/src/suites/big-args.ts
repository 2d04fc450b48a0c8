/**
 * Suite `pool`, big arguments: one call of an identity task whose argument is large (a 16 MiB
 * `Uint8Array`, a 16 MiB string, an array of 100k small objects), the value coming back as its
 * result. multiproc `apply()` on a warm pool of 2 (process and thread contexts) against the raw
 * floor of the same round trip: a forked child with `serialization: 'advanced'` echoing what
 * `child.send()` gave it. Each sample is the mean of `CALLS` sequential round trips, in ms.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { nowMs, sampleRuns } from '../harness.js';
import { endPool, mpTasks, multiproc, needs } from '../mp.js';
import { fixturePath } from '../paths.js';
import { smallItem } from '../raw.js';
import type { BenchCase, Measurement, Sizes } from '../types.js';

type Payload = 'bytes' | 'string' | 'objects';
type Impl = 'process' | 'thread' | 'fork';

/** Round trips per sample: one alone is noisy on a busy machine. */
const CALLS = 4;

const TITLES: Record<Payload, string> = {
  bytes: 'identity task on a 16 MiB Uint8Array, sent and returned',
  string: 'identity task on a 16 MiB string, sent and returned',
  objects: 'identity task on 100k small objects, sent and returned',
};

function payloadOf(payload: Payload, sizes: Sizes): unknown {
  if (payload === 'bytes') {
    const bytes = new Uint8Array(sizes.bigArgBytes);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 0xff;
    return bytes;
  }
  // A flat one-byte string (not a rope made by repeat()), as text read from a file is.
  if (payload === 'string') return Buffer.alloc(sizes.bigArgBytes, 'abcdefgh').toString('latin1');
  return Array.from({ length: sizes.bigArgItems }, (_, i) => smallItem(i));
}

/** Throws unless `out` is a copy of `value` (checked by size and a few samples, not byte by byte). */
function check(value: unknown, out: unknown): void {
  const same =
    value instanceof Uint8Array
      ? out instanceof Uint8Array && out.length === value.length && out[4096] === value[4096]
      : typeof value === 'string'
        ? out === value
        : Array.isArray(out) &&
          out.length === (value as unknown[]).length &&
          (out.at(-1) as { id: number }).id === out.length - 1;
  if (!same) throw new Error('the value that came back differs from the one sent');
}

/** A round trip of `value` through `impl`, and how to end it. */
async function start(impl: Impl): Promise<{ echo(value: unknown): Promise<unknown>; end(): Promise<void> }> {
  if (impl === 'fork') {
    const child: ChildProcess = fork(fixturePath('echo-peer.mjs'), [], {
      stdio: 'inherit',
      serialization: 'advanced',
    });
    await once(child, 'message'); // 'ready'
    return {
      async echo(value) {
        const answer = once(child, 'message');
        child.send(value as never);
        return ((await answer) as unknown[])[0];
      },
      async end() {
        const exited = once(child, 'exit');
        child.send(null as never);
        await exited;
      },
    };
  }
  const mp = await multiproc();
  const tasks = await mpTasks();
  const pool = new mp.Pool({ processes: 2, context: impl });
  await pool.map(tasks.square, [1, 2, 3, 4]);
  return { echo: (value) => pool.apply(tasks.identity, [value]), end: () => endPool(pool) };
}

function bigArgCase(payload: Payload, impl: Impl): BenchCase {
  return {
    id: `pool/big-arg-${payload}/${impl === 'fork' ? 'fork-send' : `multiproc-${impl}`}`,
    suite: 'pool',
    group: `pool.big-arg-${payload}`,
    title: TITLES[payload],
    impl:
      impl === 'fork'
        ? "fork() + child.send(), serialization 'advanced' (the floor)"
        : `multiproc apply() (${impl})`,
    kind: impl === 'fork' ? 'baseline' : 'multiproc',
    unit: 'ms',
    better: 'lower',
    ...(impl === 'fork' ? {} : { unavailable: needs(['Pool']) }),
    measure: async ({ runs, warmup, sizes }): Promise<Measurement> => {
      const value = payloadOf(payload, sizes);
      const { echo, end } = await start(impl);
      try {
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          for (let i = 0; i < CALLS; i++) check(value, await echo(value));
          return (nowMs() - t0) / CALLS;
        });
        return { samples, extra: { calls: CALLS } };
      } finally {
        await end();
      }
    },
  };
}

/** The big-argument cases: each payload through the raw floor, then both multiproc contexts. */
export function bigArgCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const payload of ['bytes', 'string', 'objects'] as Payload[])
    for (const impl of ['fork', 'process', 'thread'] as Impl[]) cases.push(bigArgCase(payload, impl));
  return cases;
}
