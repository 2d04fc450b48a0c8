// Client() to a Unix-socket Listener whose backlog is full for a moment. The kernel refuses a
// non-blocking connect() there with EAGAIN, where Python's blocking connect() waits for room (the
// scenario of python/cpython#87934 and #101225: many children connecting at once to a listener
// with a small backlog). Client() rejected with ConnectError (EAGAIN): 62 of 64 clients started in
// one turn failed against `backlog: 1`, 59 of 64 against `backlog: 4`. Manager proxies open their
// socket the same way. Here every client connects, and clients still trying when the listener
// closes fail with a named error instead of retrying for ever.
import { Client, ConnectError, type Connection, Listener } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

describe('Client() to a Unix socket whose backlog is full', () => {
  it('64 clients started in one turn against backlog 1 all connect, each received in order', {
    timeout: 20_000,
  }, async () => {
    const listener = new Listener(null, { backlog: 1 });
    opened.push(listener);
    const address = await listener.ready();
    const clients = await Promise.all(range(64).map(() => Client(address)));
    opened.push(...clients);
    for (const [i, c] of clients.entries()) c.send(i);
    const got: number[] = [];
    for (const _ of clients) {
      const conn: Connection = await listener.accept();
      opened.push(conn);
      got.push((await conn.recv()) as number);
    }
    expect(got.sort((a, b) => a - b)).toEqual(range(64));
  });

  it('with an authkey, 16 clients against backlog 1 all pass the handshake', {
    timeout: 20_000,
  }, async () => {
    const listener = new Listener(null, { backlog: 1, authkey: 'busy' });
    opened.push(listener);
    const address = await listener.ready();
    const clients = Promise.all(range(16).map(() => Client(address, { authkey: 'busy' })));
    const accepted = Promise.all(range(16).map(() => listener.accept()));
    const [mine, theirs] = await Promise.all([clients, accepted]);
    opened.push(...mine, ...theirs);
    for (const [i, c] of mine.entries()) c.send(i);
    const got = await Promise.all(theirs.map((c) => c.recv() as Promise<number>));
    expect(got.sort((a, b) => a - b)).toEqual(range(16));
  });

  it('clients still waiting for room when the listener closes reject with ConnectError', {
    timeout: 20_000,
  }, async () => {
    const listener = new Listener(null, { backlog: 1 });
    const address = await listener.ready();
    const clients = range(32).map(() =>
      Client(address).then(
        (c) => {
          opened.push(c);
          return 'connected';
        },
        (e: unknown) => e,
      ),
    );
    listener.close();
    const outcomes = await Promise.all(clients);
    for (const o of outcomes) if (o !== 'connected') expect(o).toBeInstanceOf(ConnectError);
  });
});
