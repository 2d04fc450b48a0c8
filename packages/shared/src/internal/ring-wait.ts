/**
 * How a `ByteChannel` reader waits for a message in an empty ring, and a writer for room in a full
 * one, in batches.
 *
 * A reader that frees one frame and wakes the writer, which writes one frame and sleeps again,
 * costs a futex wake (an `Atomics.waitAsync` wake also crosses the writer's event loop) per
 * message on both threads; with 64 KiB messages and a reader slower than the writer, that
 * ping-pong took most of the time. So a writer first asks to be woken only once a batch of frames
 * is free (WNEED, see batchTarget; the reader checks it before it notifies): the reader still has
 * the rest of the ring queued meanwhile, and the writer then refills the batch at once. As a reader
 * may stop reading before the batch is free, that first wait ends after {@link BATCH_WAIT_MS};
 * from then on the writer asks for just the room its frame needs, and waits for it without limit.
 */
import { assertMayBlock } from './browser-limits.js';
import { CLOSED_BIT, type Ring, RWAIT, USED, USED_MASK, WNEED, WWAIT } from './ring.js';
import { assertCanEnd, now, waitAsync, waitSync } from './wait.js';

/** How long a writer waits for half the ring to be free before settling for room for its frame. */
export const BATCH_WAIT_MS = 1;
const SPIN = 200;
/** Frames a waiting writer asks room for before it is woken (see {@link batchTarget}). */
const BATCH_FRAMES = 16;

/** What waiting for room ended with. */
export type RoomWait = 'room' | 'closed' | 'timed-out';
/** What waiting for a message ended with: `'closed'` once the ring is closed and drained. */
export type MessageWait = 'message' | 'closed' | 'timed-out';

/**
 * A short, bounded spin before sleeping: the other side is usually mid-copy, and a futex sleep
 * plus wake costs far more than the few microseconds this waits. Returns true if USED moved.
 */
export function spinWhile(h: Int32Array, used: number): boolean {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(h, USED) !== used) return true;
  return false;
}

/**
 * The free bytes a waiting writer asks for: room for {@link BATCH_FRAMES} frames like its own, at
 * most half the ring (and at least its frame). Small frames so still wake it once per batch, while
 * nearly the whole ring stays queued for the reader: a writer slow to wake (a loaded machine) must
 * not let the reader run dry.
 */
function batchTarget(r: Ring, need: number): number {
  return Math.max(need, Math.min(r.size >>> 1, need * BATCH_FRAMES));
}

/** Blocks this thread until the ring has `need` free bytes; the caller holds the write side. */
export function waitRoomSync(r: Ring, need: number, deadline: number): RoomWait {
  const h = r.h;
  const batchEnd = now() + BATCH_WAIT_MS;
  for (;;) {
    const u = Atomics.load(h, USED);
    if ((u & CLOSED_BIT) !== 0) return 'closed';
    if (r.size - u >= need) return 'room';
    const t = now();
    if (t >= deadline) return 'timed-out';
    if (spinWhile(h, u)) continue;
    // Refused where this thread may not block before it asks for room or counts as a waiter.
    assertMayBlock();
    assertCanEnd(h, deadline);
    const batch = t < batchEnd;
    Atomics.store(h, WNEED, batch ? batchTarget(r, need) : need);
    Atomics.add(h, WWAIT, 1);
    waitSync(h, USED, u, batch ? Math.min(deadline, batchEnd) : deadline);
    Atomics.sub(h, WWAIT, 1);
  }
}

/** {@link waitRoomSync} without blocking the event loop. */
export async function waitRoom(
  r: Ring,
  need: number,
  deadline: number,
  keepAlive: boolean | undefined,
): Promise<RoomWait> {
  const h = r.h;
  const batchEnd = now() + BATCH_WAIT_MS;
  for (;;) {
    const u = Atomics.load(h, USED);
    if ((u & CLOSED_BIT) !== 0) return 'closed';
    if (r.size - u >= need) return 'room';
    const t = now();
    if (t >= deadline) return 'timed-out';
    const batch = t < batchEnd;
    Atomics.store(h, WNEED, batch ? batchTarget(r, need) : need);
    Atomics.add(h, WWAIT, 1);
    // A wait that can never end rejects (wait.ts): it must not leave a waiter counted.
    try {
      await waitAsync(h, USED, u, batch ? Math.min(deadline, batchEnd) : deadline, keepAlive);
    } finally {
      Atomics.sub(h, WWAIT, 1);
    }
  }
}

/** Blocks this thread until a message is queued; the caller holds the read side. */
export function waitMessageSync(h: Int32Array, deadline: number): MessageWait {
  for (;;) {
    const u = Atomics.load(h, USED);
    if ((u & USED_MASK) !== 0) return 'message';
    if (u !== 0) return 'closed'; // closed and drained
    if (now() >= deadline) return 'timed-out';
    if (spinWhile(h, u)) continue;
    assertMayBlock();
    assertCanEnd(h, deadline);
    Atomics.add(h, RWAIT, 1);
    waitSync(h, USED, u, deadline);
    Atomics.sub(h, RWAIT, 1);
  }
}

/** {@link waitMessageSync} without blocking the event loop. */
export async function waitMessage(
  h: Int32Array,
  deadline: number,
  keepAlive: boolean | undefined,
): Promise<MessageWait> {
  for (;;) {
    const u = Atomics.load(h, USED);
    if ((u & USED_MASK) !== 0) return 'message';
    if (u !== 0) return 'closed'; // closed and drained
    if (now() >= deadline) return 'timed-out';
    Atomics.add(h, RWAIT, 1);
    try {
      await waitAsync(h, USED, u, deadline, keepAlive);
    } finally {
      Atomics.sub(h, RWAIT, 1);
    }
  }
}
