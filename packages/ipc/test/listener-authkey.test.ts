// A Client with an authkey at a Listener without one: the listener does no challenge (as in
// Python's connection.py), so its accept() resolves; the client, finding no challenge, fails
// with AuthenticationError (Python would wait for one forever) and closes, and the accepted
// connection sees that end as EOF, never a silent peer that is gone.

import { AuthenticationError, Client, Listener } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';

const listeners: Listener[] = [];
afterEach(() => {
  for (const l of listeners.splice(0)) l.close();
});

describe('an authkey on the client side only', () => {
  it('the client fails with AuthenticationError; the accepted connection sees EOF', {
    timeout: 10_000,
  }, async () => {
    const listener = new Listener();
    listeners.push(listener);
    const accepted = listener.accept();
    await expect(Client(listener.address, { authkey: 'x' })).rejects.toBeInstanceOf(AuthenticationError);
    const conn = await accepted;
    expect(await conn.poll(10_000)).toBe(true); // EOF is ready, not a value
    await expect(conn.recv()).rejects.toMatchObject({ name: 'EOFError' });
    conn.close();
  });
});
