/**
 * The bad-input catalogue: every row is one wrong call on the public API and the named error it
 * must get (or, for inputs that only look wrong, that it works). `test/bad-input.test.ts` runs
 * each row and then the row's next valid call; `pnpm soak` also runs the heavy rows.
 */
import { Pipe } from '@multiproc/ipc';
import { tasks } from '../tasks.js';
import { pipeCases } from './pipe.js';
import { poolCases } from './pool.js';
import { processCases } from './process.js';
import { queueCases } from './queue.js';
import { sharedMemoryCases } from './shared-memory.js';
import { sharedSyncCases } from './shared-sync.js';
import { assert, type Case } from './types.js';

export type { Case, Env, ErrorName } from './types.js';

const HALF_GIB = 512 * 2 ** 20;
// 512 MiB there and back takes 30-40 s on a loaded 2-core machine.
const HEAVY_LIMIT_MS = 180_000;

/** Rows that move 512 MiB: a few seconds each, about 1.6 GB of memory for the process one. */
export const heavyCases: Case[] = [
  {
    api: 'a.sendBytes(512 MiB)',
    input: 'a 512 MiB message through a Pipe (valid: it arrives whole)',
    expect: 'works',
    async: true,
    limitMs: HEAVY_LIMIT_MS,
    setup: () => Pipe(),
    run: async ([a, b]) => {
      a.sendBytes(new Uint8Array(HALF_GIB));
      return (await b.recvBytes()).byteLength;
    },
    check: (n) => assert(n === HALF_GIB, `received ${n} bytes`),
    teardown: ([a, b]) => {
      a.close();
      b.close();
    },
  },
  {
    api: "pool('process').apply(task, [512 MiB])",
    input: 'a 512 MiB argument to a child process (valid: it arrives and comes back whole)',
    expect: 'works',
    async: true,
    limitMs: HEAVY_LIMIT_MS,
    run: async (_, env) =>
      (await env.pool('process').apply(tasks.identity, [new Uint8Array(HALF_GIB)])) as Uint8Array,
    check: (v: Uint8Array) => assert(v.byteLength === HALF_GIB, `came back with ${v.byteLength} bytes`),
  },
];

/** Every row run in CI. */
export const catalogue: Case[] = [
  ...sharedMemoryCases,
  ...sharedSyncCases,
  ...queueCases,
  ...pipeCases,
  ...poolCases,
  ...processCases,
];
