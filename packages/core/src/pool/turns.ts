/**
 * The event loop's turns, as the reading of a map call's input sees them. A call reads its input
 * and sends its next chunk from the events of its workers' replies, and an imap loop takes replies
 * synchronously as it goes: on a warm thread pool (chunks of thousands of items) Node hands up to
 * 1000 port messages to one event, each of which read a chunk, so the program's timers, a call's
 * own `timeout` and `signal` among them, waited 5-20 s while millions of items were read. A read
 * asks {@link turnSpent} as it goes and lets the loop turn ({@link nextTurn}) once this turn has
 * read for longer than {@link TURN_BUDGET_MS}: a chunk of automatic size is sent with the items it
 * has, the next chunk is read in a later turn.
 */

/** How long the reading of map inputs may keep one turn of the event loop (ms). */
export const TURN_BUDGET_MS = 10;

/** When this turn's first read asked (`performance.now()`), until the turn's check phase. */
let turnStart: number | undefined;
const endTurn = (): void => {
  turnStart = undefined;
};

/**
 * Whether a chunk's read that has read `count` items asks {@link turnSpent} now: at items 1, 2, 4,
 * ..., 128, then every 256. Slow items (milliseconds each) are timed soon, so a turn reads at most
 * about twice its budget of them (every 256 only, a turn read 256 of them: a second or more); fast
 * ones cost a few clock reads a chunk.
 */
export function asksAt(count: number): boolean {
  return (count & 255) === 0 || (count & (count - 1)) === 0;
}

/** Whether reading has kept this turn of the event loop longer than {@link TURN_BUDGET_MS}. */
export function turnSpent(): boolean {
  const now = performance.now();
  if (turnStart === undefined) {
    turnStart = now;
    setImmediate(endTurn); // this turn's check phase: the next read starts a new count
    return false;
  }
  return now - turnStart > TURN_BUDGET_MS;
}

/**
 * Resolves in the check phase of the event loop: the I/O events pending now have been handled, and
 * the timers due run before the next read's own check phase.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
