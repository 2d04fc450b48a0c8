// A manager speaks first: its authkey challenge can reach a proxy's socket before the proxy's
// handshake reads it. Deno reads a socket as soon as it connects, in the middle of the promise
// steps that start the handshake; the chunk went to a feed with no reader yet and was dropped, so
// the proxy waited for a challenge already gone and its connection timed out after 20 s (a thread
// Process's dict call failed with ManagerClosedError, about 1 run in 7 of the runtimes probe).
// Here the proxy side waits on purpose before its handshake, on Node: the challenge has come by
// then, and the handshake must still read it. The limit is shortened through its test hook.
import { BaseManager } from '@multiproc/ipc';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { connectManagerSocket, openSocket } from '../src/internal/net/endpoint.js';
import type { Feed } from '../src/internal/net/feed.js';

const HOOK = Symbol.for('multiproc.handshakeTimeoutMs');
const g = globalThis as Record<symbol, unknown>;
const cleanup: (() => unknown)[] = [];

beforeAll(() => {
  g[HOOK] = 2_000;
});
afterAll(() => {
  delete g[HOOK];
});
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

it('a proxy handshake reads the challenge that came before it started', { timeout: 15_000 }, async () => {
  const m = new BaseManager({ authkey: 'early' });
  await m.start();
  cleanup.push(() => m.shutdown());
  const feed: Feed = { sink: null, rest: null };
  const socket = await openSocket({ path: m.address as string }, feed);
  cleanup.push(() => socket.destroy());
  // The manager accepts and sends its challenge meanwhile; nothing reads the feed yet.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(feed.rest?.length ?? 0).toBeGreaterThan(0);
  const hello = await connectManagerSocket(socket, Buffer.from('early'), feed);
  expect(hello.rpc).toBe('multiproc.manager/1');
});
