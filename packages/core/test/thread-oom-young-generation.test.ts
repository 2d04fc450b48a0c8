// A thread worker that runs out of memory under resourceLimits.maxOldGenerationSizeMb must end
// alone, its call rejected with WorkerCrashedError (reason 'out of memory'), the program going on.
// Node 24 gives a Worker a young generation of 192 MB by default (48 MB before): a scavenge then
// promotes up to 64 MB into an old generation already at its limit, past the 16 MB Node's
// near-heap-limit callback grants to stop the worker, and V8 aborted the whole program ("FATAL
// ERROR: Reached heap limit", nodejs/node#47224's allocation of sliced strings). The pool now
// gives such a worker Node 22's 48 MB unless the pool sets maxYoungGenerationSizeMb itself. Each
// case is a real program, since the fault killed the process it ran in.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/thread-oom-program.mjs', import.meta.url));

function run(...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROGRAM, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) {
        return reject(
          new Error(`the program ended without its result (${err?.message}): ${stderr.slice(0, 400)}`),
        );
      }
      resolve(JSON.parse(line));
    });
  });
}

describe('a thread worker out of memory under resourceLimits ends alone', () => {
  it('maxOldGenerationSizeMb alone: the young generation is 48 MB; the call rejects, the program goes on', {
    timeout: 90_000,
  }, async () => {
    expect(await run('64')).toEqual({
      old: 64,
      young: 48,
      oom: { name: 'WorkerCrashedError', reason: 'out of memory' },
      after: 5,
    });
  });

  it('a maxYoungGenerationSizeMb the pool sets is kept', { timeout: 90_000 }, async () => {
    expect(await run('64', '16')).toEqual({
      old: 64,
      young: 16,
      oom: { name: 'WorkerCrashedError', reason: 'out of memory' },
      after: 5,
    });
  });
});
