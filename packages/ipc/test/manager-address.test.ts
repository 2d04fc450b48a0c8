// A manager's address before start() is a ProcessError saying to await start(), as a Listener's
// before it is bound; ClosedError stays for use after close()/shutdown().
import { BaseManager, ClosedError, ProcessError, SyncManager } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('a manager’s address', () => {
  it.each([
    ['SyncManager', () => new SyncManager()],
    ['BaseManager on TCP', () => new BaseManager({ address: ['127.0.0.1', 0] })],
  ])(
    '%s before start() throws a ProcessError that is not a ClosedError, then is known',
    {
      timeout: 10_000,
    },
    async (_name, make) => {
      const m = make();
      const err = thrown(() => m.address);
      expect(err).toBeInstanceOf(ProcessError);
      expect(err).not.toBeInstanceOf(ClosedError);
      expect((err as Error).message).toContain('start()');
      const address = await m.start();
      expect(m.address).toEqual(address);
      await m.shutdown();
    },
  );
});
