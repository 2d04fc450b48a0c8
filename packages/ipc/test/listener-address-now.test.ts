// `new Listener(['127.0.0.1', 6000]).address` threw "not bound yet" right after construction:
// Node binds [host, port] a tick after listen(), where Python's Listener binds in its constructor
// and `Listener(address).address` answers at once. An address given whole (an IP and a port other
// than 0) is now answered at once, in the form it has once bound; a bind that then fails still
// rejects ready() and accept(), and `address` throws that error from then on. Port 0 still needs
// the bind, and its error says what to await.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Listener, ProcessError, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { cleanup, listen } from './net-kit.js';

/** A port free a moment ago, on 127.0.0.1. */
async function freePort(): Promise<number> {
  const probe = listen(['127.0.0.1', 0]);
  const [, port] = (await probe.ready()) as [string, number];
  probe.close();
  return port;
}

describe('Listener.address right after construction', () => {
  it('answers a given [ip, port] at once, as after the bind', { timeout: 5_000 }, async () => {
    const port = await freePort();
    const l = listen(['127.0.0.1', port]);
    expect(l.address).toEqual(['127.0.0.1', port]);
    await expect(l.ready()).resolves.toEqual(['127.0.0.1', port]);
    expect(l.address).toEqual(['127.0.0.1', port]);
  });

  it("answers 'localhost' as the 127.0.0.1 it binds", { timeout: 5_000 }, async () => {
    const port = await freePort();
    const l = listen(['localhost', port]);
    expect(l.address).toEqual(['127.0.0.1', port]);
    await expect(l.ready()).resolves.toEqual(['127.0.0.1', port]);
  });

  it('answers an IPv6 literal in the form the system reports once bound', { timeout: 5_000 }, async () => {
    const port = await freePort();
    const l = listen(['0:0:0:0:0:0:0:1', port]);
    const before = l.address;
    expect(before).toEqual(['::1', port]);
    const after = await l.ready().catch((e: NodeJS.ErrnoException) => e.code); // no IPv6 here
    if (typeof after !== 'string') expect(after).toEqual(before);
  });

  it('answers a Unix socket path given at once', { timeout: 5_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-addr-now-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'l.sock');
    expect(listen(path).address).toBe(path);
  });

  it('still surfaces a failed bind (port in use) in ready(), accept() and address', {
    timeout: 5_000,
  }, async () => {
    const first = listen(['127.0.0.1', 0]);
    const [, port] = (await first.ready()) as [string, number];
    const second = listen(['127.0.0.1', port]);
    expect(second.address).toEqual(['127.0.0.1', port]);
    await expect(second.ready()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(second.accept()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(() => second.address).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
  });

  it('needs the bind for port 0, and says what to await', { timeout: 5_000 }, async () => {
    const l = listen(['127.0.0.1', 0]);
    expect(() => l.address).toThrow(ProcessError);
    expect(() => l.address).toThrow(/port \(0: the system picks a free one\).*await listener\.ready\(\)/);
    const [host, port] = (await l.ready()) as [string, number];
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    expect(l.address).toEqual([host, port]);
  });
});

// Python's Listener(address, family) and Client(address, family): the family given second was
// read as the options ("options are an object … got the string 'AF_UNIX'"); it now says the
// address tells the family and to drop it.
describe("Python's family argument", () => {
  it('is refused naming the address as what tells the family', { timeout: 5_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-addr-now-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'l.sock');
    for (const [address, family] of [
      [path, 'AF_UNIX'],
      [['127.0.0.1', 0], 'AF_INET'],
    ] as const) {
      expect(() => new Listener(address, family as never)).toThrow(ValidationError);
      expect(() => new Listener(address, family as never)).toThrow(
        /Python's family argument.*follows from the address.*new Listener\(address, \{ authkey, backlog \}\)/,
      );
    }
    await expect(Client(path, 'AF_UNIX' as never)).rejects.toThrow(/family argument.*Client\(address/);
  });
});
