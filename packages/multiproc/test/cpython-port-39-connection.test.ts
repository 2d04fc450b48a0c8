// Cases of CPython's Lib/test/_test_multiprocessing.py that cpython-port-29 leaves out, for
// connections: the rest of _TestConnection and _TestListener, OtherTest (the authentication
// handshake), TestTimeouts, TestIgnoreEINTR and TestSimpleQueue.test_empty_exceptions, ported to
// this API (camelCase, Promises, milliseconds). Each runs in both contexts where Python runs it
// with processes; where the API differs, the case says so.
import net from 'node:net';
import mp, { ClosedError, ValidationError } from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { CONTEXTS, latin, processesKilledAfterEach, text } from './cpython-kit.ts';
import { conns } from './fixtures/cpython-port-39-tasks.mjs';

const { start } = processesKilledAfterEach({ daemon: true });

describe.each(CONTEXTS)('_TestConnection (the rest) in the %s context', (context) => {
  it('test_connection as Python writes it: values sent with send() come back through a worker echoing bytes', {
    timeout: 30_000,
  }, async () => {
    const [conn, childConn] = mp.Pipe();
    const p = start(context, conns.echoBytes, [childConn]);
    childConn.close();
    const values: unknown[] = [
      [1, 2.25, null],
      'hello world',
      { a: [1, { b: 'c' }], d: true },
      new Map([[1, 'one']]),
      [undefined, -0, Number.NaN, 10n],
      new Uint8Array([1, 2, 3]),
      new Date(0),
    ];
    for (const v of values) {
      expect(conn.send(v)).toBeUndefined();
      expect(await conn.recv()).toEqual(v);
    }
    // bytes still come back as bytes, also ones that look like a serialized value
    for (const bytes of [latin('[1,2]'), latin('"x"'), new Uint8Array([0x80, 5, 0, 1])]) {
      conn.sendBytes(bytes);
      expect(await conn.recv()).toEqual(bytes);
      conn.sendBytes(bytes);
      expect(await conn.recvBytes()).toEqual(bytes);
    }
    conn.sendBytes(new Uint8Array(0));
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    conn.close();
  });

  it('a value forwarded as bytes by a relay worker arrives as the value', { timeout: 30_000 }, async () => {
    const [from, toRelay] = mp.Pipe({ duplex: false });
    const [out, fromRelay] = mp.Pipe({ duplex: false });
    const p = start(context, conns.relayBytes, [from, fromRelay]);
    from.close();
    fromRelay.close();
    const big = 'x'.repeat(1024 * 1024);
    toRelay.send({ id: 1, big });
    toRelay.send([new Set([1, 2])]);
    toRelay.close();
    expect(await out.recv()).toEqual({ id: 1, big });
    expect(await out.recv()).toEqual([new Set([1, 2])]);
    await expect(out.recv()).rejects.toBeInstanceOf(mp.EOFError);
    await p.join(20_000);
  });

  it('a 16 MiB value, sent with send(), comes back whole', { timeout: 30_000 }, async () => {
    const [conn, childConn] = mp.Pipe();
    const p = start(context, conns.echoBytes, [childConn]);
    childConn.close();
    const big = { s: 'X'.repeat(16 * 1024 * 1024), n: [1, 2, 3] };
    conn.send(big);
    const back = (await conn.recv()) as typeof big;
    expect(back.s.length).toBe(big.s.length);
    expect(back.n).toEqual([1, 2, 3]);
    conn.sendBytes(new Uint8Array(0));
    await p.join(20_000);
    conn.close();
  });
});

describe('_TestConnection in one thread', () => {
  it('test_context: `using` closes both ends; a closed end refuses with ClosedError (Python: OSError)', async () => {
    const [a, b] = mp.Pipe();
    {
      using ua = a;
      using ub = b;
      ua.send(1729);
      expect(await ub.recv()).toBe(1729);
      expect(a.closed).toBe(false);
      expect(b.closed).toBe(false);
    }
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(true);
    await expect(a.recv()).rejects.toBeInstanceOf(ClosedError);
    await expect(b.recv()).rejects.toBeInstanceOf(ClosedError);
    expect(() => a.send(1)).toThrow(ClosedError);
  });

  it('recvBytesInto: an offset outside the buffer is refused before receiving; too short keeps the message in data', async () => {
    const [a, b] = mp.Pipe();
    a.sendBytes(latin('0123456789'));
    const buf = new Uint8Array(12);
    for (const offset of [-1, 13, 1.5]) {
      await expect(b.recvBytesInto(buf, offset), `offset ${offset}`).rejects.toBeInstanceOf(ValidationError);
    }
    // fits the buffer, not the room after the offset: BufferTooShortError, message in data
    const short = await b.recvBytesInto(buf, 3).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(mp.BufferTooShortError);
    expect(text((short as { data: Uint8Array }).data)).toBe('0123456789');
    expect([...buf]).toEqual(new Array(12).fill(0));
    a.sendBytes(latin('0123456789'));
    expect(await b.recvBytesInto(buf, 2)).toBe(10);
    expect(text(buf.subarray(2))).toBe('0123456789');
    // into a typed array of wider elements: the offset counts bytes, as Python's
    const wide = new Uint16Array(4);
    a.sendBytes(new Uint8Array([1, 0, 2, 0]));
    expect(await b.recvBytesInto(wide, 4)).toBe(4);
    expect([...wide]).toEqual([0, 0, 1, 2]);
    a.close();
    b.close();
  });

  it('recvBytes(maxlength): a longer message is refused with MessageTooLongError', async () => {
    const [a, b] = mp.Pipe();
    a.sendBytes(latin('short'));
    expect(text(await b.recvBytes(5))).toBe('short');
    a.sendBytes(latin('much longer'));
    await expect(b.recvBytes(5)).rejects.toBeInstanceOf(mp.MessageTooLongError);
    a.close();
    b.close();
  });
});

/** One length-prefixed message, as Python's connection frames the handshake. */
function frame(bytes: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(bytes.length);
  return Buffer.concat([head, bytes]);
}

/** Reads whole length-prefixed messages from a raw socket. */
function messages(socket: net.Socket): () => Promise<Buffer> {
  let buf = Buffer.alloc(0);
  const waiting: ((m: Buffer) => void)[] = [];
  const ready: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const n = buf.readUInt32BE(0);
      const m = buf.subarray(4, 4 + n);
      buf = buf.subarray(4 + n);
      const w = waiting.shift();
      if (w) w(m);
      else ready.push(m);
    }
  });
  return () => {
    const m = ready.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
  };
}

describe('OtherTest: a peer that answers the challenge with something bogus', () => {
  it('test_deliver_challenge_auth_failure: accept() rejects with AuthenticationError; the next client is accepted', {
    timeout: 20_000,
  }, async () => {
    using l = new mp.Listener(['127.0.0.1', 0], { authkey: 'abc' });
    const [host, port] = (await l.ready()) as [string, number];
    const accepted = l.accept();
    const fake = net.connect(port, host);
    const next = messages(fake);
    expect((await next()).subarray(0, 11).toString()).toBe('#CHALLENGE#');
    fake.write(frame(latin('something bogus')));
    await expect(accepted).rejects.toBeInstanceOf(mp.AuthenticationError);
    expect((await next()).toString()).toBe('#FAILURE#');
    fake.destroy();
    const good = mp.Client([host, port], { authkey: 'abc' });
    const d = await l.accept();
    const c = await good;
    c.send('fine');
    expect(await d.recv()).toBe('fine');
    c.close();
    d.close();
  });

  it('test_answer_challenge_auth_failure: Client() rejects with AuthenticationError', {
    timeout: 20_000,
  }, async () => {
    const server = net.createServer((socket) => {
      const next = messages(socket);
      socket.write(frame(Buffer.concat([latin('#CHALLENGE#{sha256}'), Buffer.alloc(40, 7)])));
      void next().then(() => socket.write(frame(latin('something bogus'))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      await expect(mp.Client(['127.0.0.1', port], { authkey: 'abc' })).rejects.toBeInstanceOf(
        mp.AuthenticationError,
      );
    } finally {
      server.close();
    }
  });
});

describe('_TestListener.test_abstract_socket (Linux)', () => {
  it.runIf(process.platform === 'linux')(
    'a Listener on an abstract socket name',
    { timeout: 20_000 },
    async () => {
      const name = `\0multiproc-test-${process.pid}`;
      let kept: InstanceType<typeof mp.Listener>;
      {
        using listener = new mp.Listener(name);
        kept = listener;
        expect(listener.address).toBe(name);
        using client = await mp.Client(listener.address);
        using d = await listener.accept();
        client.send(1729);
        expect(await d.recv()).toBe(1729);
      }
      await expect(kept.accept()).rejects.toBeInstanceOf(ClosedError);
    },
  );
});

describe.each(CONTEXTS)('TestTimeouts in the %s context', (context) => {
  it('test_timeout: a worker that sends late, then connects as a Client, is heard on both', {
    timeout: 30_000,
  }, async () => {
    const [parent, child] = mp.Pipe();
    using l = new mp.Listener(['127.0.0.1', 0]);
    const address = await l.ready();
    const p = start(context, conns.sendThenConnect, [child, address]);
    child.close();
    expect(await parent.recv()).toBe(123);
    parent.close();
    const conn = await l.accept();
    expect(await conn.recv()).toBe(456);
    conn.close();
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });
});

describe("TestIgnoreEINTR, 'process' context", () => {
  it('test_ignore: a handled signal while the child waits in recv() and sends a large message changes nothing', {
    timeout: 30_000,
  }, async () => {
    const size = 4 * 1024 * 1024 + 1;
    const [conn, childConn] = mp.Pipe();
    const p = start('process', conns.ignoreSignal, [childConn, size]);
    childConn.close();
    expect(await conn.recv()).toBe('ready');
    process.kill(p.pid!, 'SIGUSR1');
    conn.send(1234);
    expect(await conn.recv()).toBe(1234);
    process.kill(p.pid!, 'SIGUSR1');
    const bytes = await conn.recvBytes();
    expect(bytes.length).toBe(size);
    expect(bytes.every((b) => b === 120)).toBe(true);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    conn.close();
  });

  it('test_ignore_listener: a handled signal while the child waits in accept() changes nothing', {
    timeout: 30_000,
  }, async () => {
    const [conn, childConn] = mp.Pipe<string>();
    const p = start('process', conns.ignoreSignalListener, [childConn]);
    childConn.close();
    const address = await conn.recv();
    process.kill(p.pid!, 'SIGUSR1');
    const client = await mp.Client(address);
    expect(await client.recv()).toBe('welcome');
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    client.close();
    conn.close();
  });
});

describe('TestSimpleQueue.test_empty_exceptions', () => {
  it('empty() of a closed SimpleQueue throws ClosedError (Python: OSError), used or not', async () => {
    const unused = new mp.SimpleQueue();
    unused.close();
    expect(() => unused.empty()).toThrow(ClosedError);
    const used = new mp.SimpleQueue();
    await used.put(1);
    used.close();
    expect(() => used.empty()).toThrow(ClosedError);
    await expect(used.get()).rejects.toBeInstanceOf(ClosedError);
    await expect(Promise.resolve().then(() => used.put(2))).rejects.toBeInstanceOf(ClosedError);
  });
});
