// Behaviours the contract leaves to Python's Connection and Queue: BrokenPipeError on a send
// whose other end is closed everywhere, recv_bytes(maxlength), BufferTooShort's args, a value's
// bytes that recv() rebuilds (a relay that forwards with recvBytes/sendBytes), and values
// that must arrive as structured clone gives them (arrays with own fields), in one thread and
// across real threads and processes.
import {
  BrokenPipeError,
  BufferTooShortError,
  ClosedError,
  EOFError,
  MessageTooLongError,
  Pipe,
  ProcessError,
  Queue,
  SerializationError,
  ValidationError,
} from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { type Context, killAll, startPeer } from './helpers.js';

afterEach(killAll);

const tagged = () => Object.assign([1, { n: 2 }], { tag: 'x', extra: { deep: true } });

describe('a pipe whose other end is closed (Python: BrokenPipeError)', () => {
  it('send() and sendBytes() throw once the other end is closed, duplex and one-way', async () => {
    const [a, b] = Pipe();
    b.close();
    expect(() => a.send(1)).toThrow(BrokenPipeError);
    expect(() => a.sendBytes(new Uint8Array(1))).toThrow(BrokenPipeError);
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
    const [r, w] = Pipe({ duplex: false });
    r.close();
    expect(() => w.send('x')).toThrow(BrokenPipeError);
    expect(new BrokenPipeError('').code).toBe('MP_BROKEN_PIPE');
    expect(new BrokenPipeError('')).toBeInstanceOf(ProcessError);
  });

  it('values sent before the close are still received; closing this end gives ClosedError', async () => {
    const [a, b] = Pipe();
    a.send(1);
    a.close();
    expect(await b.recv()).toBe(1);
    expect(() => a.send(2)).toThrow(ClosedError);
    expect(() => b.send(3)).toThrow(BrokenPipeError);
  });

  describe.each(['thread', 'process'] as Context[])('across a %s', (context) => {
    it('the sender learns that a peer closed its only copy', async () => {
      const [a, b] = Pipe();
      const peer = startPeer(context, 'closeIt', b);
      b.close();
      expect(await peer.result).toBe('closed');
      await expect(a.recv()).rejects.toBeInstanceOf(EOFError); // the close is known now
      expect(() => a.send(1)).toThrow(BrokenPipeError);
      expect(() => a.sendBytes(new Uint8Array(1))).toThrow(BrokenPipeError);
    }, 20_000);

    it("a copy in a peer learns that this side closed the other end's only handle", async () => {
      const [a, b] = Pipe();
      const peer = startPeer(context, 'sendAfterEof', a);
      a.close();
      b.close();
      expect(await peer.result).toEqual({
        eof: 'EOFError',
        send: 'BrokenPipeError',
        sendBytes: 'BrokenPipeError',
      });
    }, 20_000);

    it('is not broken while another copy of the other end is open, and never for a queue', async () => {
      const [a, b] = Pipe<number>();
      await startPeer(context, 'closeIt', b).result; // one copy closed, this thread's still open
      a.send(1);
      expect(await b.recv()).toBe(1);
      const q = new Queue<number>();
      await startPeer(context, 'closeIt', q).result;
      await q.put(2);
      expect(await q.get()).toBe(2);
      q.close();
    }, 20_000);
  });
});

describe('recvBytes(maxlength) (Python: recv_bytes(maxlength))', () => {
  it('returns a message that fits', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2, 3]));
    expect([...(await b.recvBytes(3))]).toEqual([1, 2, 3]);
  });

  it('a longer message throws MessageTooLongError and leaves a duplex end send-only', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array(10));
    a.sendBytes(new Uint8Array(1));
    const err = await b.recvBytes(5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessageTooLongError);
    expect(err).toMatchObject({ code: 'MP_MESSAGE_TOO_LONG', length: 10, maxLength: 5 });
    expect(b.readable).toBe(false);
    await expect(b.recvBytes()).rejects.toBeInstanceOf(ProcessError);
    await expect(b.recv()).rejects.toBeInstanceOf(ProcessError);
    b.send('still sends');
    expect(await a.recv()).toBe('still sends');
  });

  it('a longer message closes a receive-only end', async () => {
    const [r, w] = Pipe({ duplex: false });
    w.sendBytes(new Uint8Array(4));
    await expect(r.recvBytes(3)).rejects.toBeInstanceOf(MessageTooLongError);
    expect(r.closed).toBe(true);
    await expect(r.recvBytes()).rejects.toBeInstanceOf(ClosedError);
  });

  it('refuses a negative or fractional maxlength', async () => {
    const [, b] = Pipe();
    await expect(b.recvBytes(-1)).rejects.toBeInstanceOf(ValidationError);
    await expect(b.recvBytes(1.5)).rejects.toBeInstanceOf(ValidationError);
  });

  it('recvBytesInto() with a short buffer throws BufferTooShortError carrying the whole message', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2, 3, 4, 5]));
    const err = (await b.recvBytesInto(new Uint8Array(8), 4).catch((e: unknown) => e)) as BufferTooShortError;
    expect(err).toBeInstanceOf(BufferTooShortError);
    expect([...err.data]).toEqual([1, 2, 3, 4, 5]);
    expect([...err.args[0]]).toEqual([1, 2, 3, 4, 5]);
    a.sendBytes(new Uint8Array([6]));
    expect([...(await b.recvBytes())]).toEqual([6]); // the connection is still usable
  });
});

describe("a value's bytes (Python: recv() unpickles what recv_bytes() gave)", () => {
  it('recv() of the bytes recvBytes() gave for a sent value gives the value; raw bytes stay bytes', async () => {
    const [a, b] = Pipe();
    const values = [[1, 2.25, null], 'text', new Map([[1, new Set([2n])]]), { d: new Date(0), u: undefined }];
    for (const v of values) {
      a.send(v);
      const bytes = await b.recvBytes();
      a.sendBytes(bytes);
      expect(await b.recv()).toEqual(v);
      a.sendBytes(bytes);
      const into = new Uint8Array(bytes.length + 2);
      expect(await b.recvBytesInto(into, 2)).toBe(bytes.length);
      a.sendBytes(into, 2);
      expect(await b.recv()).toEqual(v);
    }
    // bytes that start like a value's but are not one, and JSON text sent as bytes, stay bytes
    for (const raw of [Uint8Array.of(0x80, 0x6d, 0x70, 0x01, 3, 0xff), new TextEncoder().encode('[1]')]) {
      a.sendBytes(raw);
      expect(await b.recv()).toEqual(raw);
    }
  });
});

describe('recvBytesInto() checks its arguments before receiving (as Python)', () => {
  it('a plain array, a fractional or a too large offset throw ValidationError and keep the message', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2]));
    await expect(b.recvBytesInto([0, 0, 0] as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(b.recvBytesInto(new Uint8Array(4), 1.5)).rejects.toBeInstanceOf(ValidationError);
    await expect(b.recvBytesInto(new Uint8Array(4), 5)).rejects.toBeInstanceOf(ValidationError);
    const buf = new Uint8Array(4);
    expect(await b.recvBytesInto(new DataView(buf.buffer), 1)).toBe(2);
    expect([...buf]).toEqual([0, 1, 2, 0]);
  });
});

// A buffer an earlier transfer (or move()) detached threw V8's bare TypeError from sendBytes() and
// recvBytesInto() (bbi28), where send() names it with SerializationError.
describe('a detached buffer', () => {
  /** A buffer, a typed array and a DataView over memory moved away by a transfer. */
  const detached = (): (ArrayBuffer | ArrayBufferView)[] => {
    const ab = new ArrayBuffer(8);
    const views = [ab, new Uint16Array(ab), new DataView(ab, 2)];
    structuredClone(ab, { transfer: [ab] });
    return views;
  };

  it('sendBytes() refuses it with SerializationError, as send() does', () => {
    const [a, b] = Pipe();
    for (const buf of detached()) {
      expect(() => a.sendBytes(buf)).toThrow(SerializationError);
      expect(() => a.send(buf)).toThrow(SerializationError);
    }
    a.close();
    b.close();
  });

  it('recvBytesInto() refuses it with ValidationError and keeps the message', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2]));
    for (const buf of detached()) await expect(b.recvBytesInto(buf)).rejects.toBeInstanceOf(ValidationError);
    expect([...(await b.recvBytes())]).toEqual([1, 2]);
    a.close();
    b.close();
  });
});

it('a using block closes a connection and a queue, as a Python with block', async () => {
  const [a, b] = Pipe();
  const q = new Queue<number>();
  {
    using conn = a;
    using queue = q;
    conn.send(1729);
    await queue.put(1);
    expect(await b.recv()).toBe(1729);
    expect(conn.closed).toBe(false);
  }
  expect(a.closed).toBe(true);
  await expect(a.recv()).rejects.toBeInstanceOf(ClosedError);
  await expect(q.get()).rejects.toBeInstanceOf(ClosedError);
  await expect(b.recv()).rejects.toBeInstanceOf(EOFError);
});

describe('values arrive as structured clone gives them', () => {
  it('an array with own fields keeps them through a Pipe and a Queue in one thread', async () => {
    const [a, b] = Pipe();
    a.send(tagged());
    expect(await b.recv()).toEqual(structuredClone(tagged()));
    const q = new Queue();
    await q.put(tagged());
    q.putNowait(tagged());
    expect(await q.get()).toEqual(structuredClone(tagged()));
    expect(q.getNowait()).toEqual(structuredClone(tagged()));
    q.close();
  });

  it.each(['thread', 'process'] as Context[])(
    'and through a %s',
    async (context) => {
      const [a, b] = Pipe();
      const peer = startPeer(context, 'echo', b);
      b.close();
      a.send(tagged());
      const back = (await a.recv()) as unknown[] & { tag?: string };
      expect(back).toEqual(structuredClone(tagged()));
      expect(back.tag).toBe('x');
      a.close();
      await peer.result;
      const from = new Queue();
      const to = new Queue();
      const echo = startPeer(context, 'queueEcho', from, to, 1);
      await from.put(tagged());
      expect(await to.get({ timeout: 10_000 })).toEqual(structuredClone(tagged()));
      await echo.result;
      from.close();
      to.close();
    },
    20_000,
  );
});
