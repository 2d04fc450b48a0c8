// A call aborted while its worker still imports the task modules of its batch (their top level, before
// any job is claimed) never runs, and the worker is kept: the 2 s after which a worker that leaves an
// aborted batch unanswered is replaced count from the end of that load, as from the end of the pool's
// initializer. It was stopped in the middle of the import, and its replacement imported the module
// again: the next call waited for two loads. A load that never ends holds the worker for
// `LOADING_ABORT_MS` at most after the abort (pool-abort-loading-bound.test.ts, full tier).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/slow-load-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const dirs: string[] = [];
const ENV = ['MULTIPROC_TEST_LOAD_LOG', 'MULTIPROC_TEST_LOAD_MS', 'MULTIPROC_TEST_LOAD_HOW'];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const name of ENV) delete process.env[name];
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes the workers started from now on hold `ms` as they load the fixture; returns their loads so far. */
function slowLoads(how: 'block' | 'await', ms: number): () => string[] {
  const dir = mkdtempSync(join(tmpdir(), 'abort-loading-'));
  dirs.push(dir);
  const log = join(dir, 'loads');
  writeFileSync(log, '');
  process.env.MULTIPROC_TEST_LOAD_LOG = log;
  process.env.MULTIPROC_TEST_LOAD_MS = String(ms);
  process.env.MULTIPROC_TEST_LOAD_HOW = how;
  return () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe.each(['thread', 'process'] as const)(
  'a call aborted while its worker loads the task module, %s context',
  (context) => {
    it.each(['block', 'await'] as const)(
      'a top level that %ss 2.6 s: the worker ends its load, is kept, and runs the next call',
      { timeout: 30_000 },
      async (how) => {
        const loads = slowLoads(how, 2600);
        const pool = makePool({ processes: 1, context });
        const controller = new AbortController();
        const aborted = pool.apply(t.who, [], { signal: controller.signal }).then(
          () => new Error('resolved'),
          (e: Error) => e,
        );
        const next = pool.apply(t.who, []);
        for (let waited = 0; loads().length === 0; waited += 5) {
          if (waited > 15_000) throw new Error('the worker never began to load the module');
          await sleep(5);
        }
        controller.abort();
        expect((await aborted).name).toBe('AbortError');
        // The next call ran in the worker that loaded the module, which loaded it once.
        const worker = await next;
        expect(loads()).toEqual([worker]);
      },
    );
  },
);
