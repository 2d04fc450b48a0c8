// The matrix of sync-wait-after-submit.test.ts (full tier): a Process's target gets its arguments
// without the parent's loop turning (both contexts), and a pool call that cannot leave this thread
// before the event loop turns (a new pool, every worker busy) makes a blocking wait with no timeout
// on what it was handed throw LockError, for each kind of wait.
import { describe, expect, it } from 'vitest';
import { runSyncWait } from './sync-wait-kit.ts';

describe.concurrent('a blocking wait right after a pool call or a Process start', () => {
  it.each([
    ['thread', 'process', 'event', 'GOT true'],
    ['thread', 'process', 'barrier', 'GOT true'],
    ['process', 'process', 'file', 'GOT true'],
    ['thread', 'fresh', 'event', 'GOT LockError'],
    ['thread', 'fresh', 'lock', 'GOT LockError'],
    ['thread', 'fresh', 'semaphore', 'GOT LockError'],
    ['thread', 'fresh', 'channel', 'GOT LockError'],
    ['thread', 'more', 'event', 'GOT LockError'],
  ])(
    '%s context, %s, %s wait: %s',
    async (context, how, wait, expected) => {
      const { got, stderr } = await runSyncWait([context, how, wait]);
      expect(got, stderr).toBe(expected);
    },
    30_000,
  );
});
