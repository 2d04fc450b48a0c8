// A worker thread that forks starts its own reaper (internal/reaper.ts), which must not be the
// thread's child once the thread has ended: nothing is left then to reap it, and each such thread
// would leave a zombie `sh` until the program exits (a server recycling its workers, many). So
// would the workers of a 'process' Pool a thread's task left open (pool/open-pools.ts): the thread
// terminates it before it ends.
import { describe, it } from 'vitest';
import { runNodeInGroup } from './group.ts';
import { fixture } from './helpers.ts';

describe.skipIf(process.platform === 'win32')('worker threads that forked a child Process', () => {
  it('leave no zombie child (reaper, forked child, pool left open) once ended', async ({
    expect,
    onTestFinished,
  }) => {
    const run = runNodeInGroup([fixture('thread-forks.mjs')], 60, onTestFinished);
    const { stdout, stderr, code } = await run.done;
    expect(stdout.match(/^exit code 0$/gm), stderr).toHaveLength(3);
    expect(stdout).toContain('left a pool open, exited with 0');
    expect(stdout).toContain('zombies []');
    expect(code).toBe(0);
  }, 70_000);
});
