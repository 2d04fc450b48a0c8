// `ready()` of a Listener closed before it was bound never settled: the server emits neither
// 'listening' nor 'error' then, so `await listener.ready()` hung (a program ended with an
// unsettled await, exit code 13). It now rejects with ClosedError, as `accept()` does.
import { ClosedError, Listener } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

describe('Listener.ready() after close()', () => {
  it('rejects with ClosedError for a TCP listener closed before it was bound', {
    timeout: 5_000,
  }, async () => {
    const l = new Listener(['127.0.0.1', 0]);
    l.close();
    await expect(l.ready()).rejects.toBeInstanceOf(ClosedError);
    expect(() => l.address).toThrow(ClosedError);
  });

  it('rejects with ClosedError for a Unix socket listener closed at once', { timeout: 5_000 }, async () => {
    const l = new Listener();
    l.close();
    await expect(l.ready()).rejects.toBeInstanceOf(ClosedError);
    expect(typeof l.address).toBe('string'); // a path stays readable, as in Python
  });

  it('still resolves to the address once bound, also after close()', { timeout: 5_000 }, async () => {
    const l = new Listener(['127.0.0.1', 0]);
    const address = await l.ready();
    l.close();
    await expect(l.ready()).resolves.toEqual(address);
  });
});
