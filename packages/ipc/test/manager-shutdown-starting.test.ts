// shutdown() of a manager whose start() is still binding its TCP address threw ("This TCP
// Listener is not bound yet") before closing anything: start() then resolved and the manager kept
// serving after its shutdown() was called, and an un-awaited shutdown() was an unhandled
// rejection. It now shuts the manager down: start() rejects with ManagerClosedError and nothing
// listens at the address it would have had.
import { BaseManager, ManagerClosedError, SyncManager } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

describe('shutdown() while start() binds a TCP address', () => {
  it.each([
    ['BaseManager', () => new BaseManager({ address: ['127.0.0.1', 0] })],
    ['SyncManager', () => new SyncManager({ address: ['127.0.0.1', 0] })],
  ])(
    '%s: shutdown() resolves and start() rejects with ManagerClosedError',
    { timeout: 5_000 },
    async (_, make) => {
      const m = make();
      const started = m.start();
      await expect(m.shutdown()).resolves.toBeUndefined();
      await expect(started).rejects.toBeInstanceOf(ManagerClosedError);
      await expect(m.shutdown()).resolves.toBeUndefined(); // again: nothing left to do
    },
  );

  it('serveForever() started then shut down at once settles', { timeout: 5_000 }, async () => {
    const m = new BaseManager({ address: ['127.0.0.1', 0] });
    const serving = m.serveForever();
    await m.shutdown();
    await expect(serving).rejects.toBeInstanceOf(ManagerClosedError);
  });

  it('a manager shut down once bound is unaffected: its address refuses clients', {
    timeout: 5_000,
  }, async () => {
    const m = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
    const address = await m.start();
    await m.shutdown();
    await expect(new BaseManager({ address, authkey: 'k' }).connect()).rejects.toBeInstanceOf(
      ManagerClosedError,
    );
  });
});
