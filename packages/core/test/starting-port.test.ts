// The hook that finds the port tinypool talks to a starting worker on (src/pool/starting-port.ts):
// it catches only tinypool's listener, passes every other through (and leaves those ports ref'd),
// and leaves `MessagePort.prototype` as Node's own, also with two copies of the module armed at
// once and disarmed in the opposite order (two installs of core in one program).
import { MessageChannel, MessagePort } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';

type Hooks = typeof import('../src/pool/starting-port.ts');

/** Whether `port` holds the program (Node 20's types lack `hasRef`). */
const hasRef = (port: MessagePort) => (port as unknown as { hasRef(): boolean }).hasRef();

/** A listener shaped as tinypool 2.2's on a worker's port. */
function tinypoolListener(): (message: unknown) => void {
  const info = { _handleResponse(_message: unknown) {} };
  return (message) => info._handleResponse(message);
}

describe('starting-port', () => {
  it("unrefs the port that gets tinypool's listener and keeps it as the worker's", {
    timeout: 10_000,
  }, async () => {
    const hooks: Hooks = await import('../src/pool/starting-port.ts');
    const worker = {};
    const own = new MessageChannel();
    const tinypool = new MessageChannel();
    try {
      const disarm = hooks.unrefNextWorkerPort(worker);
      own.port1.on('message', () => {}); // not tinypool's: it passes through
      tinypool.port1.on('message', tinypoolListener());
      disarm();
      expect(hasRef(own.port1)).toBe(true);
      expect(hasRef(tinypool.port1)).toBe(false);
      expect(hooks.workerPort(worker)).toBe(tinypool.port1);
      expect(Object.hasOwn(MessagePort.prototype, 'on')).toBe(false);
    } finally {
      for (const c of [own, tinypool]) c.port1.close();
    }
  });

  it('two copies armed at once, disarmed in the opposite order, leave no hook behind', {
    timeout: 10_000,
  }, async () => {
    vi.resetModules();
    const a: Hooks = await import('../src/pool/starting-port.ts');
    vi.resetModules();
    const b: Hooks = await import('../src/pool/starting-port.ts');
    expect(a).not.toBe(b);
    const worker = {};
    const disarmA = a.unrefNextWorkerPort();
    const disarmB = b.unrefNextWorkerPort(worker); // armed already: B's worker is the one caught
    disarmA();
    disarmB();
    expect(Object.hasOwn(MessagePort.prototype, 'on')).toBe(false);
    const later = new MessageChannel();
    try {
      later.port1.on('message', tinypoolListener()); // no hook armed: stays ref'd
      expect(hasRef(later.port1)).toBe(true);
      // Armed again through either copy, the port is found through the other.
      const disarm = b.unrefNextWorkerPort(worker);
      const next = new MessageChannel();
      next.port1.on('message', tinypoolListener());
      disarm();
      expect(hasRef(next.port1)).toBe(false);
      expect(a.workerPort(worker)).toBe(next.port1);
      next.port1.close();
    } finally {
      later.port1.close();
    }
  });

  it('disarms itself at the next microtask when nothing was caught', { timeout: 10_000 }, async () => {
    const hooks: Hooks = await import('../src/pool/starting-port.ts');
    hooks.unrefNextWorkerPort();
    expect(Object.hasOwn(MessagePort.prototype, 'on')).toBe(true);
    await Promise.resolve();
    expect(Object.hasOwn(MessagePort.prototype, 'on')).toBe(false);
  });
});
