// A connected SyncManager's typed factories (Python: `m.connect(); m.Lock()`) make the object in
// the server it is connected to and return its proxy at once, as a started manager's do; calls
// made before the object exists wait for it. Once the server is gone, calls reject with
// ManagerClosedError, as any proxy of a gone manager does.
import { ManagerClosedError, SerializationError, SyncManager } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function serveAndConnect(): Promise<[SyncManager, SyncManager]> {
  const server = await SyncManager.start({ address: ['127.0.0.1', 0], authkey: 'connected' });
  cleanup.push(() => server.shutdown());
  const client = new SyncManager({ address: server.address, authkey: 'connected' });
  await client.connect();
  return [server, client];
}

describe('a connected SyncManager', () => {
  it('makes objects with its typed factories, usable at once, in the server', {
    timeout: 20_000,
  }, async () => {
    const [, m] = await serveAndConnect();
    const lock = m.Lock();
    const l = m.list([1, 2]);
    const d = m.dict({ a: 1 });
    const v = m.Value('i', 5);
    const a = m.Array('i', [1, 2, 3]);
    const bar = m.Barrier(1);
    const q = m.Queue();
    expect(await lock.acquire()).toBe(true);
    await lock.release();
    await l.append(3);
    expect(await l.copy()).toEqual([1, 2, 3]);
    expect(await d.get('a')).toBe(1);
    expect(await v.get()).toBe(5);
    expect(await a.slice(1)).toEqual([2, 3]);
    expect(await bar.wait()).toBe(0);
    await q.put('x');
    expect(await q.get()).toBe('x');
  });

  it('refuses to send a proxy whose object is still being made, and sends it once made', {
    timeout: 20_000,
  }, async () => {
    const [, m] = await serveAndConnect();
    const other = m.list();
    expect(await other.len()).toBe(0); // made
    const l = m.list();
    await expect(other.append(l)).rejects.toBeInstanceOf(SerializationError);
    await l.append(1);
    await other.append(l);
    expect(await other.len()).toBe(1);
  });

  it('rejects calls with ManagerClosedError once the server is gone', { timeout: 20_000 }, async () => {
    const [server, m] = await serveAndConnect();
    await server.shutdown();
    await expect(m.list().append(1)).rejects.toBeInstanceOf(ManagerClosedError);
    await expect(m.Lock().acquire()).rejects.toBeInstanceOf(ManagerClosedError);
  });
});
