// Managers a test file starts and must not leave serving: each one given to `kept()` is shut down
// after the test that made it.
import type { BaseManager } from '@multiproc/ipc';
import { afterEach } from 'vitest';

/** Registers this file's `afterEach` that shuts down every manager passed to the returned `kept()`. */
export function keptManagers(): <M extends BaseManager>(m: M) => M {
  const managers: BaseManager[] = [];
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.shutdown()));
  });
  return (m) => {
    managers.push(m);
    return m;
  };
}
