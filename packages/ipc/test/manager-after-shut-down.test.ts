// A manager that was shut down says so the way its proxies do: its factories (`dict()`, `Lock()`,
// a registered type's method), `create()` and `numberOfObjects()` fail with ManagerClosedError
// (a ClosedError), as their docs say, instead of a bare ClosedError or the count it had when it
// stopped. A program catching ManagerClosedError for "the manager is gone" catches them all.
// No worker: a few milliseconds.
import { BaseManager, ClosedError, ManagerClosedError, SyncManager } from '@multiproc/ipc';
import { expect, it } from 'vitest';

function failure(f: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(f()).then(
      () => 'resolved',
      (err: unknown) => err,
    );
  } catch (err) {
    return Promise.resolve(err);
  }
}

it('a shut-down manager factories, create() and numberOfObjects() fail with ManagerClosedError', async () => {
  const m = await SyncManager.start();
  m.register('Box', () => ({ get: () => 1 }));
  await m.shutdown();
  const calls: [string, () => unknown][] = [
    ['dict()', () => m.dict()],
    ['list()', () => m.list()],
    ['Lock()', () => m.Lock()],
    ['Queue()', () => m.Queue()],
    ["create('Box')", () => m.create('Box')],
    ['Box()', () => (m as unknown as { Box(): unknown }).Box()],
    ['numberOfObjects()', () => m.numberOfObjects()],
  ];
  for (const [name, call] of calls) {
    const err = await failure(call);
    expect(err, name).toBeInstanceOf(ManagerClosedError);
    expect(err, name).toBeInstanceOf(ClosedError);
    expect((err as ManagerClosedError).code, name).toBe('MP_MANAGER_CLOSED');
  }
});

it('a connected manager shut down rejects create() and numberOfObjects() with ManagerClosedError', async () => {
  const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
  server.register('Box', () => ({ get: () => 1 }));
  const client = new BaseManager({ address: await server.start(), authkey: 'k' });
  try {
    await client.connect();
    await client.shutdown();
    expect(await failure(() => client.create('Box'))).toBeInstanceOf(ManagerClosedError);
    expect(await failure(() => client.numberOfObjects())).toBeInstanceOf(ManagerClosedError);
  } finally {
    await server.shutdown();
  }
});
