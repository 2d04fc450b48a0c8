// A Client before the Listener's accept(), as Python's backlog allows: without an authkey Client()
// resolves once connected and what it sends is received after accept(); with one it waits for the
// challenge, and a listener closed meanwhile ends that wait with EOFError instead of a hang.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Client, EOFError, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { cleanup, listen } from './net-kit.js';

const { tasks } = await import(new URL('./fixtures/net-tasks.mjs', import.meta.url).href);

/** Resolves once a server in this program has taken a new connection (Node's diagnostics channel). */
function serverTakesConnection(): Promise<void> {
  return new Promise((resolve) => {
    const onSocket = (_: unknown) => {
      unsubscribe('net.server.socket', onSocket);
      resolve();
    };
    subscribe('net.server.socket', onSocket);
  });
}

describe('Client() before accept(), without an authkey', () => {
  it('resolves in the same program; values sent before accept() arrive after it, in order', {
    timeout: 10_000,
  }, async () => {
    const listener = listen();
    const client = await Client(listener.address);
    client.send('first');
    client.sendBytes(new TextEncoder().encode('second'));
    client.send({ third: [3] });
    const conn = await listener.accept();
    expect(listener.lastAccepted).toBe(listener.address);
    expect(await conn.recv()).toBe('first');
    expect(new TextDecoder().decode(await conn.recvBytes())).toBe('second');
    expect(await conn.recv()).toEqual({ third: [3] });
    conn.send('reply');
    expect(await client.recv()).toBe('reply');
    client.close();
    await expect(conn.recv()).rejects.toBeInstanceOf(EOFError);
    conn.close();
  });

  it('several clients are accepted in the order they connected, each with its own values', {
    timeout: 10_000,
  }, async () => {
    const listener = listen(['127.0.0.1', 0]);
    const address = await listener.ready();
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const c = await Client(address);
      c.send(i);
      clients.push(c);
    }
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await (await listener.accept()).recv());
    expect(got.sort()).toEqual([0, 1, 2]);
    for (const c of clients) c.close();
  });

  it('a client not yet accepted sees EOFError when the listener closes', { timeout: 10_000 }, async () => {
    const listener = listen();
    const client = await Client(listener.address);
    listener.close();
    await expect(client.recv()).rejects.toBeInstanceOf(EOFError);
    client.close();
  });

  it.each(matrix(import.meta.url))(
    'resolves in a Process (%s) before accept(); its values arrive after accept(), then EOF',
    { timeout: 20_000 },
    async (context) => {
      const listener = listen();
      const out = new Queue<string>();
      const p = new core.Process({
        target: tasks.sendBeforeAccept,
        args: [listener.address, 5, out],
        context,
      });
      cleanup.push(() => p.isAlive() && p.kill());
      p.start();
      expect(await out.get()).toBe('connected');
      await p.join();
      expect(p.exitCode).toBe(0);
      const conn = await listener.accept();
      const got = [];
      for (let i = 0; i < 5; i++) got.push(await conn.recv());
      expect(got).toEqual([0, 1, 2, 3, 4]);
      await expect(conn.recv()).rejects.toBeInstanceOf(EOFError);
      conn.close();
    },
  );
});

describe('Client() before accept(), with an authkey', () => {
  it('waits for the challenge; a listener closed meanwhile rejects it with EOFError', {
    timeout: 10_000,
  }, async () => {
    const listener = listen(undefined, { authkey: 'k' });
    const taken = serverTakesConnection();
    let settled = false;
    const client = Client(listener.address, { authkey: 'k' }).finally(() => {
      settled = true;
    });
    client.catch(() => {});
    // The listener's side holds the connection: the client waits for accept() and its challenge.
    await taken;
    expect(settled).toBe(false);
    listener.close();
    const err = await client.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EOFError);
    expect((err as EOFError).code).toBe('MP_EOF');
    expect((err as Error).message).toMatch(/listener/i);
  });

  it('a client that waited is authenticated once accept() runs', { timeout: 10_000 }, async () => {
    const listener = listen(undefined, { authkey: 'k' });
    const taken = serverTakesConnection();
    const client = Client(listener.address, { authkey: 'k' });
    await taken;
    const conn = await listener.accept();
    (await client).send('hi');
    expect(await conn.recv()).toBe('hi');
    (await client).close();
    conn.close();
  });
});
