// A blocking wait in the main thread right after handing a pool work, for something that work does:
// `pool.applyAsync(setsIt, [ev]); ev.waitSync()`. Python's pool sends the task from a handler thread,
// so the wait returns. The pool used to post every call a microtask later, which a blocking wait
// never lets run: the program hung for ever. Now a call that a free worker takes leaves at once (a
// thread's port; a child's IPC channel, tinypool's task relayed with it), and a blocking wait with
// no timeout whose memory went only to calls still queued in this thread throws LockError (use
// `await ev.wait()`). One program per context; the matrix is the -55 file (full tier).
import { describe, expect, it } from 'vitest';
import { runSyncWait } from './sync-wait-kit.ts';

describe('a blocking wait right after a pool call', () => {
  it('a warm thread pool: Event.waitSync() returns once the task set it', async () => {
    const { got, stderr } = await runSyncWait(['thread', 'warm', 'event']);
    expect(got, stderr).toBe('GOT true');
  }, 30_000);

  it('a warm process pool: a file the task writes, polled by the main thread, appears', async () => {
    const { got, stderr } = await runSyncWait(['process', 'warm', 'file']);
    expect(got, stderr).toBe('GOT true');
  }, 30_000);

  it('a new pool (workers starting): Event.waitSync() with no timeout throws LockError instead of hanging', async () => {
    const { got, stderr } = await runSyncWait(['thread', 'fresh', 'event']);
    expect(got, stderr).toBe('GOT LockError');
  }, 30_000);

  // A call with a signal or a timeout goes a microtask after it is made, also to a free worker: the
  // LockError named only starting or busy workers and said to await a first call, which this
  // program had done. It names the signal or timeout now, and what lets the wait work.
  it.each(['warm-timeout', 'warm-signal'])(
    'a warm pool, a call made with %s: the LockError says why the call has not left, and what to do',
    async (how) => {
      const { got, stderr } = await runSyncWait(['thread', how, 'event']);
      expect(got, stderr).toBe('GOT LockError');
      expect(stderr).toContain('with a signal or a timeout');
      expect(stderr).toContain('await null');
    },
    30_000,
  );
});
