/** wait(): the first of several connections or queues to have something to receive. */

import type { Timeout } from '@multiproc/shared';
import { readyHandle, type Waitable } from './internal/ready.js';
import { checkTimeout } from './internal/schema.js';

/**
 * Waits until at least one of `objects` can be received from without waiting (data, or EOF for
 * a connection), then resolves to every one that can. Mirrors Python's
 * `multiprocessing.connection.wait(object_list, timeout)`.
 * @param objects - Connections, Queues, JoinableQueues or SimpleQueues.
 * @param timeout - ms to wait at most; @default no limit. On timeout resolves to `[]`.
 * @throws {ClosedError} when one of them was closed.
 * @example
 * const [a, b] = Pipe();
 * const [c, d] = Pipe();
 * a.send('x');
 * console.log((await wait([b, d], 1000)).length); // 1: b
 */
export async function wait<W extends Waitable>(objects: Iterable<W>, timeout?: Timeout): Promise<W[]> {
  const list = [...objects];
  const ms = checkTimeout(timeout, 'wait()');
  const handles = list.map((o) => o[readyHandle]());
  const ready = () => list.filter((_, i) => handles[i]!.ready());
  const now = ready();
  if (now.length > 0 || ms === 0) {
    if (now.length === 0) for (const h of handles) h.onReady(() => {})(); // fetch ahead for next time
    return now;
  }
  return new Promise<W[]>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      for (const off of offs) off();
      clearTimeout(timer);
      resolve(ready());
    };
    const offs = handles.map((h) => h.onReady(finish));
    if (ms !== undefined && Number.isFinite(ms)) timer = setTimeout(finish, ms);
  });
}
