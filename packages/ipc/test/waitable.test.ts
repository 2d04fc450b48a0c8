// The registered waitable protocol: wait() takes any object with a method under
// Symbol.for('multiproc.waitable') (core's Process and its sentinel implement it), mixed with
// connections, and removes its listener once it settles.
import { ProcessError, ValidationError } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type Connection, Pipe, type WaitReadiness, wait, waitable } from '../src/index.js';

const ends: Connection[] = [];
afterEach(() => {
  for (const c of ends.splice(0)) c.close();
});

/** A flag that becomes ready on `set()`, counting its live listeners. */
function flag() {
  let ready = false;
  const listeners = new Set<() => void>();
  return {
    listeners,
    set() {
      ready = true;
      for (const l of [...listeners]) l();
    },
    [waitable](): WaitReadiness {
      return {
        ready: () => ready,
        onReady: (l) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      };
    },
  };
}

describe('wait() and the waitable protocol', () => {
  it('is the registered symbol, so separate copies of the packages agree', () => {
    expect(waitable).toBe(Symbol.for('multiproc.waitable'));
  });

  it('reports a waitable object once it becomes ready, mixed with a connection, and drops its listener', async () => {
    const [a, b] = Pipe();
    ends.push(a, b);
    const f = flag();
    expect(await wait([b, f], 0)).toEqual([]);
    const waiting = wait([b, f], 10_000);
    f.set();
    expect(await waiting).toEqual([f]);
    expect(f.listeners.size).toBe(0);
    a.send('x');
    expect(await wait([b, f], 10_000)).toEqual([b, f]);
  });

  it('times out to [] and leaves no listener behind', async () => {
    const f = flag();
    expect(await wait([f], 20)).toEqual([]);
    expect(f.listeners.size).toBe(0);
  });

  it('refuses an object that is neither a connection, a queue nor a waitable, naming what it takes', async () => {
    await expect(wait([{}] as never, 10)).rejects.toBeInstanceOf(ValidationError);
    await expect(wait([{}] as never, 10)).rejects.toThrow(/sentinel/);
  });

  it("refuses the send-only end of a one-way Pipe with poll()'s ProcessError, even beside a ready end", async () => {
    const [receiveEnd, sendEnd] = Pipe({ duplex: false });
    const [a, b] = Pipe();
    ends.push(receiveEnd, sendEnd, a, b);
    a.send('ready');
    await expect(wait([sendEnd], 100)).rejects.toBeInstanceOf(ProcessError);
    await expect(wait([sendEnd], 100)).rejects.toThrow(/send-only end/);
    await expect(wait([b, sendEnd], 100)).rejects.toBeInstanceOf(ProcessError);
    sendEnd.send(1);
    expect(await wait([receiveEnd, b], 100)).toEqual([receiveEnd, b]);
  });
});
