// Listeners the Listener/Client tests open, closed after each test with whatever else a test
// registers in `cleanup` (in reverse order).
import { Client, type Connection, Listener } from '@multiproc/ipc';
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

/**
 * A connected pair on a fresh `Listener` (Unix socket by default): `c` is the `Client` end, `s`
 * the one `accept()` gave; both closed after the test.
 */
export async function connectedPair(): Promise<{ c: Connection; s: Connection }> {
  const l = listen();
  const accepted = l.accept();
  const c = await Client(l.address);
  const s = await accepted;
  cleanup.push(() => c.close());
  return { c, s };
}
