// The bound on the wait for a worker that imports a task module as its batch's call is aborted
// (pool-abort-loading.test.ts): a top-level await that never settles while an interval keeps the
// worker alive would hold the worker for ever. It is stopped once `LOADING_ABORT_MS` (10 s) passed
// after the abort, and the call made next, of another module, runs on its replacement. That stop was
// silent: a later call of the module imports it again in another worker and waits for it (as the
// first call did, as in Python), with nothing saying the pool gave up on its import once. It now
// warns (a ProcessWarning, code MP_TASK_LOAD_ABANDONED) naming the module. Full tier: it waits those
// 10 s.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/slow-load-tasks.mjs';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as other } from './fixtures/unstarted-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const dirs: string[] = [];
const ENV = ['MULTIPROC_TEST_LOAD_LOG', 'MULTIPROC_TEST_LOAD_MS', 'MULTIPROC_TEST_LOAD_HOW'];
const warnings: Error[] = [];
const onWarning = (w: Error) => void warnings.push(w);
process.on('warning', onWarning);
afterEach(() => {
  warnings.length = 0;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const name of ENV) delete process.env[name];
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['thread', 'process'] as const)('a load that never ends, %s context', (context) => {
  it('holds the worker 10 s at most after the abort', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abort-loading-bound-'));
    dirs.push(dir);
    const log = join(dir, 'loads');
    writeFileSync(log, '');
    process.env.MULTIPROC_TEST_LOAD_LOG = log;
    process.env.MULTIPROC_TEST_LOAD_HOW = 'never';
    const loads = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const pool = makePool({ processes: 1, context });
    const controller = new AbortController();
    const aborted = pool.apply(t.who, [], { signal: controller.signal }).then(
      () => new Error('resolved'),
      (e: Error) => e,
    );
    const next = pool.apply(other.who, []);
    for (let waited = 0; loads().length === 0; waited += 5) {
      if (waited > 15_000) throw new Error('the worker never began to load the module');
      await sleep(5);
    }
    controller.abort();
    const abortedAt = Date.now();
    expect((await aborted).name).toBe('AbortError');
    const worker = await next;
    const waited = Date.now() - abortedAt;
    expect(waited).toBeGreaterThanOrEqual(9_000);
    expect(loads()).toHaveLength(1);
    expect(worker).not.toBe(loads()[0]);
    const said = warnings.filter((w) => (w as { code?: string }).code === 'MP_TASK_LOAD_ABANDONED');
    expect(said).toHaveLength(1);
    expect(said[0]!.name).toBe('ProcessWarning');
    expect(said[0]!.message).toContain('slow-load-tasks.mjs');
    // A later call of that module imports it again and waits, as the first did: its timeout bounds it.
    const later = await pool.apply(t.who, [], { timeout: 200 }).catch((e: Error) => e);
    expect((later as Error).name).toBe('TimeoutError');
    expect(loads()).toHaveLength(2);
  });
});
