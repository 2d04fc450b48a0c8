// A blocking wait in the main thread right after handing a pool work, for something that work does:
// `pool.applyAsync(setsIt, [ev]); ev.waitSync()`. Python's pool sends the task from a handler thread,
// so the wait returns. The pool used to post every call a microtask later, which a blocking wait
// never lets run: the program hung for ever. Now a call a free worker can take leaves at once (a
// thread's port, a child's IPC channel), and a wait with no timeout whose memory went only to calls
// still queued in this thread throws LockError (use `await ev.wait()`). The matrix: the -55 file.
// (The posted-at-once case still hangs about 1 run in 6 here, cause not found yet: not tested.)
import { describe, expect, it } from 'vitest';
import { runSyncWait } from './sync-wait-kit.ts';

describe('a blocking wait right after a pool call', () => {
  it('a new pool (workers starting): Event.waitSync() with no timeout throws LockError instead of hanging', async () => {
    const { got, stderr } = await runSyncWait(['thread', 'fresh', 'event']);
    expect(got, stderr).toBe('GOT LockError');
  }, 30_000);
});
