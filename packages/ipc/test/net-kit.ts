// Listeners the Listener/Client tests open, closed after each test with whatever else a test
// registers in `cleanup` (in reverse order).
import { Listener } from '@multiproc/ipc';
import { afterEach } from 'vitest';

export const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A `Listener` closed after the test. */
export function listen(...args: ConstructorParameters<typeof Listener>): Listener {
  const l = new Listener(...args);
  cleanup.push(() => l.close());
  return l;
}
