// A peer that connects and then stalls mid-handshake is dropped after the handshake limit, and
// the call that ran the handshake says so with a TimeoutError (before: an EOFError saying the peer
// closed the connection, though only the stall did). Python's handshake has no limit at all. The
// limit is shortened here through its test hook; the sockets are real.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, EOFError, Listener, TimeoutError } from '@multiproc/ipc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const HOOK = Symbol.for('multiproc.handshakeTimeoutMs');
const LIMIT_MS = 300;
const g = globalThis as Record<symbol, unknown>;
const cleanups: (() => void)[] = [];

beforeAll(() => {
  g[HOOK] = LIMIT_MS;
});
afterAll(() => {
  delete g[HOOK];
});
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});

describe('a handshake that stalls', () => {
  it('accept() rejects with TimeoutError for a client that connects and never answers; the next accept works', {
    timeout: 15_000,
  }, async () => {
    const listener = new Listener(undefined, { authkey: 'k' });
    cleanups.push(() => listener.close());
    const mute = net.connect(listener.address as string);
    cleanups.push(() => mute.destroy());
    const err = await listener.accept().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).not.toBeInstanceOf(EOFError);
    expect((err as TimeoutError).code).toBe('MP_TIMEOUT');
    expect((err as Error).message).toContain(`${LIMIT_MS} ms`);
    // The listener goes on: a real client is accepted.
    const accepted = listener.accept();
    const c = await Client(listener.address, { authkey: 'k' });
    const s = await accepted;
    c.send('hi');
    expect(await s.recv()).toBe('hi');
    c.close();
    s.close();
  });

  it('Client() rejects with TimeoutError when the listener stalls after its first byte', {
    timeout: 15_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-hs-'));
    const path = join(dir, 's');
    const server = net.createServer((sock) => {
      sock.write(Buffer.from([0, 0, 0, 59])); // a challenge's length, then nothing
      cleanups.push(() => sock.destroy());
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const err = await Client(path, { authkey: 'k' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toContain('listener');
  });

  it('a client that closes mid-handshake is still an EOFError', { timeout: 15_000 }, async () => {
    const listener = new Listener(undefined, { authkey: 'k' });
    cleanups.push(() => listener.close());
    const quitter = net.connect(listener.address as string);
    quitter.once('data', () => quitter.end());
    await expect(listener.accept()).rejects.toBeInstanceOf(EOFError);
  });
});
