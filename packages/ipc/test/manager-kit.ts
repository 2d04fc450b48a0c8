// What the manager tests share: cleanups run after each test (the last registered first), a
// Manager shut down after the test, and a started Process killed after it if still alive.
import { Manager } from '@multiproc/ipc';
import { afterEach } from 'vitest';
import { core } from './core.js';

/** Call at a test file's top level: its cleanups run after each of that file's tests. */
export function managerTestKit() {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  return {
    cleanup,
    /** A started Manager, shut down after the test. */
    async manager(): Promise<Manager> {
      const m = await Manager.start();
      cleanup.push(() => m.shutdown());
      return m;
    },
    /** A started Process (core's) running `target`, killed after the test if still alive. */
    start(target: unknown, args: unknown[], context: string) {
      const p = new core.Process({ target, args, context });
      cleanup.push(() => p.isAlive() && p.kill());
      p.start();
      return p;
    },
  };
}

const PENDING = Symbol('pending');
/** Whether `p` is already settled (a settled promise wins a race against a resolved one after it). */
export const isSettled = (p: Promise<unknown>): Promise<boolean> =>
  Promise.race([p, Promise.resolve(PENDING)]).then(
    (v) => v !== PENDING,
    () => true,
  );
