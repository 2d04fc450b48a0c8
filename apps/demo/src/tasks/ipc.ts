/** Task functions for the IPC section: a queue producer, a pipe ponger, and a shared counter. */
import { type Barrier, type Connection, defineTasks, type Queue, type Value } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  /** Puts `item 1` … `item count` on the queue, then `null` to say it is done. */
  produce: async (queue: Queue<string | null>, count: number) => {
    for (let i = 1; i <= count; i++) await queue.put(`item ${i}`);
    await queue.put(null);
  },
  /** Answers every `ping N` with `pong N` until the other end closes. */
  pong: async (conn: Connection<string>) => {
    for await (const message of conn) conn.send(message.replace('ping', 'pong'));
    conn.close();
  },
  /**
   * Adds 1 to `counter`, `times` times, starting together with the other workers. Without the lock,
   * `counter.value += 1` is a read then a write, and two workers can read the same value: an update
   * is lost. With it, as in Python's `with counter.get_lock(): counter.value += 1`, none is.
   */
  increment: (counter: Value<'i'>, start: Barrier, times: number, useLock: boolean) => {
    const lock = counter.getLock();
    start.waitSync();
    for (let i = 0; i < times; i++) {
      if (useLock) lock.acquireSync();
      counter.value += 1;
      if (useLock) lock.release();
    }
  },
});
