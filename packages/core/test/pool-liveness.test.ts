// A pending pool wait keeps the program alive while its workers are still starting or exiting, and
// settles: the code after it runs. Before, Node could find the loop empty in those windows (an idle
// or starting worker is unref'd, a child's output pipes too) and end the program with the await
// unsettled: exit code 13 and nothing more printed. Whole programs, so such an end is seen.
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { START_FAILURES_PER_WORKER } from '../src/pool/start-policy.js';
import { runProgram } from './helpers.ts';

const BROKEN_ENTRY = fileURLToPath(new URL('./fixtures/broken-entry', import.meta.url));
/** How long the hang-broken program may take (ms): see its test. */
const HANG_BROKEN_MS = 60_000;
/** How long the broken program may take (ms): see its test. */
const BROKEN_MS = 60_000;

describe.concurrent.each(matrix(import.meta.url))('pool waits in %s context', (context) => {
  // In the process context each worker leaves its output pipe open for 0.4 s after it exits.
  it('join() of a closed pool settles and the code after it runs while its workers are exiting', async ({
    expect,
  }) => {
    const { stdout, code } = await runProgram('pool-liveness.mjs', ['join', context, '4']);
    expect([code, stdout]).toEqual([0, 'after join\n']);
  });

  it('terminate() settles and the code after it runs while its workers are exiting', async ({ expect }) => {
    const { stdout, code } = await runProgram('pool-liveness.mjs', ['terminate', context, '4']);
    expect([code, stdout]).toEqual([0, 'after terminate\n']);
  });

  it('join() right after the pool was made settles while its workers are still starting', async ({
    expect,
  }) => {
    const { stdout, code } = await runProgram('pool-liveness.mjs', ['starting', context, '4']);
    expect([code, stdout]).toEqual([0, 'after join\n']);
  });

  it('AsyncResult.get() and wait() of a call whose worker died settle while it is exiting', async ({
    expect,
  }) => {
    const { stdout, code } = await runProgram('pool-liveness.mjs', ['crash-get', context, '1']);
    expect([code, stdout]).toEqual([0, 'WorkerCrashedError true false\n']);
  });

  it('an imap loop whose worker died throws WorkerCrashedError while it is exiting', async ({ expect }) => {
    const { stdout, code } = await runProgram('pool-liveness.mjs', ['crash-imap', context, '1']);
    expect([code, stdout]).toEqual([0, 'WorkerCrashedError\n']);
  });

  // Each call waits out the pool's back-off after each failed start (100 ms doubling: 3.1 s over
  // its up to 6 failures) and up to 9 children that start and die: alone and in the process
  // context the program took 12-28 s of wall time (1-4 s of CPU) at a load of 18-25 on 2 cores,
  // past the 25 s runProgram gives it by default, which killed it in a full-tier run. Its own
  // bound is a minute.
  it('workers that die while loading fail every call with WorkerStartError naming the cause, start nothing while idle, and the pool joins', {
    timeout: BROKEN_MS + 10_000,
  }, async ({ expect }) => {
    const { stdout, stderr, code } = await runProgram(
      'pool-liveness.mjs',
      ['broken', context, '3'],
      { MULTIPROC_WORKER_DIR: BROKEN_ENTRY },
      BROKEN_MS,
    );
    expect(code, stderr).toBe(0);
    const [first, idle, second, joined, ...rest] = stdout.split('\n');
    expect(rest).toEqual(['']);
    for (const failure of [first, second]) {
      // The worker's own error, and the module it came from, not the system's thread limits.
      expect(failure).toMatch(
        /^WorkerStartError \(cause: broken worker entry\): Cannot start a .*broken worker entry.*broken-entry\/multiproc-pool-worker\.mjs/,
      );
      expect(failure).not.toMatch(/limits|fewer workers/);
    }
    expect(idle).toBe('idle starts 0');
    // No respawn loop: each call's run of failures ends after at most 2 × processes failed starts
    // (plus those still starting then), and a closed pool starts none. Counted per call: a worker
    // the first call started that dies after it gave up may be counted as a failure of the
    // second's run, and the pool then backs off and fills up to `processes` for that call, as for
    // a first one. Under load (a child taking seconds to start and die) the two calls made 7 and 5
    // here; their sum against one call's bound (9) failed a full-tier run with 11.
    expect(joined).toMatch(/^joined, created \d+ \+ \d+ \+ \d+$/);
    const [byFirst, bySecond, byJoin] = joined!.match(/\d+/g)!.map(Number);
    for (const byCall of [byFirst, bySecond]) {
      expect(byCall).toBeGreaterThanOrEqual(1);
      expect(byCall).toBeLessThanOrEqual((START_FAILURES_PER_WORKER + 1) * 3);
    }
    expect(byJoin).toBe(0);
  });

  // On Node 20 terminate() waits up to LOADING_MS (5 s) for the hanging thread to load before it
  // stops it (worker-start.ts: a thread cut mid-load leaks a descriptor there), so this program
  // takes 8-9 s on an idle machine and more than runProgram's default 20 s at a load of 10-16,
  // where it was killed (runProgram gives a killed program code null, its stderr saying so). Its
  // own bound is a minute.
  it('a call whose workers keep failing to start while one hangs in loading rejects with WorkerStartError (no endless respawn)', {
    timeout: HANG_BROKEN_MS + 10_000,
  }, async ({ expect }) => {
    const { stdout, stderr, code } = await runProgram(
      'pool-liveness.mjs',
      ['hang-broken', context, '2'],
      { MULTIPROC_WORKER_DIR: BROKEN_ENTRY },
      HANG_BROKEN_MS,
    );
    expect(code, stderr).toBe(0);
    const [failure, terminated, ...rest] = stdout.split('\n');
    expect(rest).toEqual(['']);
    expect(failure).toMatch(/^WorkerStartError \(cause: broken worker entry\): /);
    // 2 × processes failed starts, plus the hanging one and those starting when the pool gave up.
    expect(terminated).toMatch(/^terminated, created \d+$/);
    expect(Number(terminated!.split(' ').at(-1))).toBeLessThanOrEqual(3 * 2);
  });

  it('join() settles while its workers die loading (no TypeError out of the exit wait)', async ({
    expect,
  }) => {
    const { stdout, stderr, code } = await runProgram('pool-liveness.mjs', ['broken-join', context, '3'], {
      MULTIPROC_WORKER_DIR: BROKEN_ENTRY,
    });
    expect(stderr).not.toContain('TypeError');
    expect([code, stdout]).toEqual([0, 'after join\n']);
  });

  it('a pool used and never closed lets the program end once it is idle', async ({ expect }) => {
    const { stdout, code } = await runProgram('pool-liveness.mjs', ['idle', context, '3']);
    expect([code, stdout]).toEqual([0, '[0,1,4]\n']);
  });
});
