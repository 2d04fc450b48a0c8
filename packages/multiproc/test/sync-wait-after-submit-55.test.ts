// The matrix of sync-wait-after-submit.test.ts (full tier). A call that a worker free now takes
// leaves at once, so a blocking wait right after it returns, for every kind of wait and in both
// contexts (a `Process`'s target too). A call that cannot leave before this thread's event loop
// turns (a new pool, a worker starting or running its initializer, the one worker just retired,
// every worker busy) makes a blocking wait with no timeout on what it was handed throw LockError
// (a Barrier: BrokenBarrierError) at once: for apply, map, starmap and imap calls alike.
import { describe, expect, it } from 'vitest';
import { runSyncWait } from './sync-wait-kit.ts';

/** The warm cases run this many times each: one that returned "usually" hung now and then. */
const ROUNDS = 3;
const warm = ['event', 'barrier', 'lock', 'semaphore', 'channel', 'spin', 'file'].flatMap((wait) =>
  Array.from({ length: ROUNDS }, () => ['thread', 'warm', wait, 'GOT true']),
);

describe.concurrent('a blocking wait right after a pool call or a Process start', () => {
  it.each([
    ...warm,
    ...Array.from({ length: ROUNDS }, () => ['process', 'warm', 'file', 'GOT true']),
    ['thread', 'map-warm', 'event', 'GOT true'],
    ['thread', 'starmap-warm', 'lock', 'GOT true'],
    ['thread', 'imap-warm', 'event', 'GOT true'],
    ['thread', 'process', 'event', 'GOT true'],
    ['thread', 'process', 'barrier', 'GOT true'],
    ['process', 'process', 'file', 'GOT true'],
    ['thread', 'fresh', 'event', 'GOT LockError'],
    ['thread', 'fresh', 'lock', 'GOT LockError'],
    ['thread', 'fresh', 'semaphore', 'GOT LockError'],
    ['thread', 'fresh', 'channel', 'GOT LockError'],
    ['thread', 'fresh', 'barrier', 'GOT BrokenBarrierError'],
    ['thread', 'starting', 'event', 'GOT LockError'],
    ['thread', 'recycled', 'lock', 'GOT LockError'],
    ['thread', 'more', 'event', 'GOT LockError'],
    ['thread', 'map', 'event', 'GOT LockError'],
    ['thread', 'starmap', 'semaphore', 'GOT LockError'],
    ['thread', 'imap', 'event', 'GOT LockError'],
  ])(
    '%s context, %s, %s wait: %s',
    async (context, how, wait, expected) => {
      const { got, stderr } = await runSyncWait([context, how, wait]);
      expect(got, stderr).toBe(expected);
    },
    60_000,
  );
});
