import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  BufferTooShortError,
  ClosedError,
  Connection,
  EOFError,
  Pipe,
  ProcessError,
  type ReceiveEnd,
  type SendEnd,
  SerializationError,
  ValidationError,
  wait,
} from '@multiproc/ipc';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { matrix } from '../../../test-support/matrix.ts';
import { type Context, killAll, startPeer } from './helpers.js';

afterEach(killAll);

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
}

describe('Pipe in one thread', () => {
  it('refuses new Connection() at once, as new MessagePort() does, and nothing fails later', async () => {
    const Ctor = Connection as unknown as new () => unknown;
    expect(() => new Ctor()).toThrow(
      new TypeError('Illegal constructor: get a Connection from Pipe(), accept() or Client()'),
    );
    // A half-built Connection used to register an undefined handle, whose cleanup threw after GC.
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      exposeGc()();
      await new Promise((r) => setTimeout(r, 50));
      exposeGc()();
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
  });

  it('sends both ways and ends iteration when the other end closes', async () => {
    const [a, b] = Pipe<number>();
    a.send(1);
    b.send(2);
    expect(await b.recv()).toBe(1);
    expect(await a.recv()).toBe(2);
    a.send(3);
    a.close();
    const got: number[] = [];
    for await (const v of b) got.push(v);
    expect(got).toEqual([3]);
    await expect(b.recv()).rejects.toBeInstanceOf(EOFError);
  });

  it('poll() answers at once without a timeout and waits with one', async () => {
    const [a, b] = Pipe();
    expect(await b.poll()).toBe(false);
    expect(await b.poll(5)).toBe(false);
    const later = b.poll(5_000);
    a.send('x');
    expect(await later).toBe(true);
    expect(await b.poll()).toBe(true);
  });

  it('one-way pipes refuse the wrong direction, naming the end (and the types refuse it too)', () => {
    const [r, w] = Pipe({ duplex: false });
    // @ts-expect-error: the receive-only end has no send()
    expect(() => r.send(1)).toThrow(/receive-only end/);
    // @ts-expect-error: the receive-only end has no send()
    expect(() => r.send(1)).toThrow(ProcessError);
    // @ts-expect-error: the receive-only end has no sendBytes()
    expect(() => r.sendBytes(new Uint8Array(1))).toThrow(ProcessError);
    // @ts-expect-error: the send-only end has no recv()
    return expect(w.recv()).rejects.toThrow(/send-only end/);
  });

  it('types the ends of a one-way pipe as ReceiveEnd and SendEnd, each still a Connection', async () => {
    const [r, w] = Pipe<number>({ duplex: false });
    expectTypeOf(r).toEqualTypeOf<ReceiveEnd<number>>();
    expectTypeOf(w).toEqualTypeOf<SendEnd<number>>();
    expectTypeOf(r).toExtend<Connection<number>>();
    expectTypeOf(w).toExtend<Connection<number>>();
    expectTypeOf(r.recv).returns.resolves.toEqualTypeOf<number>();
    expect([r.readable, r.writable, w.readable, w.writable]).toEqual([true, false, false, true]);
    w.send(7);
    expect(await wait([r], 5_000)).toEqual([r]); // a ReceiveEnd goes wherever a Connection goes
    expect(await r.recv()).toBe(7);
    // A duplex flag known only at run time: both ends are plain Connections.
    const duplex = Math.random() > 2;
    expectTypeOf(Pipe({ duplex })).toEqualTypeOf<[Connection<unknown>, Connection<unknown>]>();
    for (const end of [r, w]) end.close();
  });

  it('throws ClosedError after close() on this side only', async () => {
    const [a, b] = Pipe();
    const pending = a.recv();
    a.close();
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    expect(() => a.send(1)).toThrow(ClosedError);
    await expect(a.recv()).rejects.toMatchObject({ code: 'MP_CLOSED' });
    expect(b.closed).toBe(false);
  });

  it('names the unsendable part of a value', () => {
    const [a] = Pipe();
    try {
      a.send({ onDone: () => {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SerializationError);
      expect((err as SerializationError).path).toBe('value.onDone');
    }
  });

  it('validates received values: a bad one rejects, the next one arrives', async () => {
    const [a, b] = Pipe({ schema: z.object({ n: z.number() }) });
    expectTypeOf<Awaited<ReturnType<typeof b.recv>>>().toEqualTypeOf<{ n: number }>();
    (a as any).send({ n: 'one' });
    a.send({ n: 2 });
    const err = await b.recv().catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/n/);
    expect(err.issues[0].path).toEqual(['n']);
    expect(await b.recv()).toEqual({ n: 2 });
  });

  it('sendBytes / recvBytes / recvBytesInto', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2, 3, 4, 5]), 1, 3);
    expect([...(await b.recvBytes())]).toEqual([2, 3, 4]);
    a.sendBytes(new Uint8Array([9, 8]));
    const into = new Uint8Array(4);
    expect(await b.recvBytesInto(into, 1)).toBe(2);
    expect([...into]).toEqual([0, 9, 8, 0]);
    a.sendBytes(new Uint8Array(8));
    const err = await b.recvBytesInto(new Uint8Array(4)).catch((e) => e);
    expect(err).toBeInstanceOf(BufferTooShortError);
    expect(err.data.length).toBe(8);
    expect(() => a.sendBytes(new Uint8Array(2), 1, 5)).toThrow(ValidationError);
  });
});

describe.each(matrix(import.meta.url))('Pipe across a %s', (ctx) => {
  it('round-trips values through an echoing peer', async () => {
    const [a, b] = Pipe();
    const peer = startPeer(ctx, 'echo', b);
    b.close(); // the peer's copy stays open
    for (let i = 0; i < 100; i++) {
      a.send({ i, s: 'x'.repeat(i) });
      expect(await a.recv()).toEqual({ i, s: 'x'.repeat(i) });
    }
    a.close();
    expect(await peer.result).toBe(100);
  });

  it('keeps order and exact values when JSON and other values mix in one batch', async () => {
    // Within a batch, consecutive JSON values travel as one text; others break the run.
    const mixed = [
      1,
      'line\nbreak',
      { s: '\u2028 and \u2029', n: [1, 2, { deep: true }] },
      new Map([[1, 2]]),
      -0,
      'after the map',
      null,
      [],
      {},
      '',
      1.5e300,
      new Date(0),
      'end',
    ];
    const [a, b] = Pipe();
    const peer = startPeer(ctx, 'echo', b);
    b.close();
    for (let round = 0; round < 3; round++) {
      for (const v of mixed) a.send(v);
      const back: unknown[] = [];
      for (let i = 0; i < mixed.length; i++) back.push(await a.recv());
      expect(back).toEqual(mixed);
      expect(Object.is(back[4], -0)).toBe(true);
    }
    a.close();
    expect(await peer.result).toBe(mixed.length * 3);
  });

  it('ends with EOFError after the peer closes its end', async () => {
    const [a, b] = Pipe();
    const peer = startPeer(ctx, 'sendThenClose', b, [1, 2, 3]);
    b.close();
    const got: unknown[] = [];
    for await (const v of a) got.push(v);
    expect(got).toEqual([1, 2, 3]);
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
    expect(await peer.result).toBe(3);
  });

  it('ends with EOFError when the peer dies', async () => {
    const [a, b] = Pipe();
    const peer = startPeer(ctx, 'hang', b);
    b.close();
    expect(await a.recv()).toBe('ready');
    await peer.kill();
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
  });

  it('keeps a one-way receive end in the peer', async () => {
    const [r, w] = Pipe({ duplex: false });
    const peer = startPeer(ctx, 'recvAll', r);
    r.close();
    for (let i = 0; i < 1000; i++) w.send(i);
    w.close();
    expect(await peer.result).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('moves 64 KiB byte messages both ways', async () => {
    const [a, b] = Pipe();
    const peer = startPeer(ctx, 'bytesEcho', b);
    b.close();
    const buf = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
    for (let i = 0; i < 20; i++) a.sendBytes(buf);
    const into = new Uint8Array(64 * 1024);
    for (let i = 0; i < 20; i++) {
      into.fill(0);
      expect(await a.recvBytesInto(into)).toBe(buf.length);
      expect(Buffer.compare(into, buf)).toBe(0); // toEqual on 64 KiB arrays takes seconds
    }
    a.close();
    expect(await peer.result).toBe('eof');
  });

  it.each(['flush', 'close'])(
    'byte messages the peer fetched ahead come back whole and in order (%s)',
    async (how) => {
      // Big byte messages go to another thread by move, not copy: the peer must send back
      // the ones it did not use, including those still on their way when it gave back.
      const [a, b] = Pipe();
      const total = 200;
      const peer = startPeer(ctx, 'recvThen', b, 3, how, 0, true);
      for (let i = 0; i < total; i++) {
        const m = new Uint8Array(64 * 1024).fill(i & 0xff);
        new DataView(m.buffer).setInt32(0, i, true);
        a.sendBytes(m);
      }
      expect(await peer.result).toEqual([0, 1, 2]);
      const seen: number[] = [];
      while (seen.length < total - 3 && (await b.poll(how === 'close' ? 2000 : 0))) {
        const m = await b.recvBytes();
        expect(m.byteLength).toBe(64 * 1024);
        const i = new DataView(m.buffer, m.byteOffset).getInt32(0, true);
        expect(m[m.byteLength - 1]).toBe(i & 0xff);
        seen.push(i);
      }
      const expected = Array.from({ length: total - 3 }, (_, i) => i + 3);
      if (how === 'flush') expect(seen).toEqual(expected);
      else {
        // A copy that closes drops what was still on its way to it, as a closed socket would;
        // everything else comes back in order.
        expect(seen).toEqual(expected.slice(0, seen.length));
      }
    },
  );

  it('values sent one per turn (at once, unserialized) come back in order when the peer gives back', async () => {
    const [a, b] = Pipe<number>();
    // The peer pauses after 3, so what is sent meanwhile waits in its copy, fetched ahead.
    const peer = startPeer(ctx, 'recvThen', b, 3, 'flush', 300);
    const total = 150;
    for (let i = 0; i < total; i++) {
      a.send(i);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await peer.result).toEqual([0, 1, 2]);
    const rest: number[] = [];
    while (rest.length < total - 3 && (await b.poll(5000))) rest.push(await b.recv());
    expect(rest).toEqual(Array.from({ length: total - 3 }, (_, i) => i + 3));
  });

  it('a value is copied when sent: changing it afterwards changes nothing', async () => {
    const [a, b] = Pipe<{ x: number }>();
    const peer = startPeer(ctx, 'recvAll', b);
    b.close();
    for (let round = 0; round < 3; round++) {
      const v = { x: 1 };
      a.send(v); // the first send of a turn goes at once, the next ones in this turn's batch
      v.x = 2;
      a.send(v);
      v.x = 3;
      await new Promise((resolve) => setImmediate(resolve));
    }
    a.close();
    expect(await peer.result).toEqual([{ x: 1 }, { x: 2 }, { x: 1 }, { x: 2 }, { x: 1 }, { x: 2 }]);
  });

  it('validates in the peer with the schema carried along', async () => {
    const [a, b] = Pipe({ schema: z.number() });
    const [c, d] = Pipe();
    const peer = startPeer(ctx, 'schemaProbe', b, c);
    b.close();
    c.close();
    a.send('bad' as never);
    a.send(7);
    expect(await d.recv()).toEqual({ first: 'ValidationError', second: 7 });
    a.close();
    await peer.result;
  });

  it('wait() returns the connections that are ready', async () => {
    const [a1, b1] = Pipe();
    const [a2, b2] = Pipe();
    const [a3, b3] = Pipe();
    const peer = startPeer(ctx, 'sendThenClose', b2, ['hello']);
    b2.close();
    expect(await wait([a1, a2, a3], 0)).toEqual([]);
    const ready = await wait([a1, a2, a3], 10_000);
    expect(ready).toEqual([a2]);
    expect(await a2.recv()).toBe('hello');
    // The peer's close may arrive after its message: once it has, a2 is ready too (EOF).
    expect(await a2.poll(10_000)).toBe(true);
    b3.send('local');
    const again = await wait([a1, a2, a3]);
    expect(new Set(again)).toEqual(new Set([a2, a3]));
    await peer.result;
    a1.close();
    b1.close();
  });

  it('passes a connection on from one worker to another', async () => {
    const [a, b] = Pipe();
    const [c, d] = Pipe();
    const middle = startPeer(ctx, 'passOn', b, c);
    b.close();
    const last = startPeer(ctx, 'recvAll', d);
    c.close();
    d.close();
    for (let i = 0; i < 50; i++) a.send(i);
    a.close();
    expect(await middle.result).toBe('forwarded');
    expect(await last.result).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('passes a connection on from the peer to a child process of its own', async () => {
    const [a, b] = Pipe();
    const peer = startPeer(ctx, 'relayToChild', b);
    b.close();
    expect(await a.recv()).toBe('from grandchild');
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
    expect(await peer.result).toEqual({ result: 1 });
  });

  it('closes a connection that was garbage-collected without close()', async () => {
    const gc = exposeGc();
    const peer = (() => {
      const [a, b] = Pipe();
      const p = startPeer(ctx, 'recvAll', b);
      b.close();
      a.send('last words');
      return p; // `a` becomes unreachable here
    })();
    let settled = false;
    const result = peer.result.finally(() => {
      settled = true;
    });
    while (!settled) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await result).toEqual(['last words']);
  });

  it('lets one connection be passed to two workers at once', async () => {
    const [a, b] = Pipe();
    const p1 = startPeer(ctx, 'sendThenClose', b, ['one']);
    const p2 = startPeer(ctx, 'sendThenClose', b, ['two']);
    b.close();
    const got: unknown[] = [];
    for await (const v of a) got.push(v);
    expect(got.sort()).toEqual(['one', 'two']);
    await Promise.all([p1.result, p2.result]);
  });

  it('three readers of one end (two workers and this thread) share what is sent, then all get EOF', async () => {
    // Each reader reads ahead; one that waits makes the home recall what another read ahead, and
    // the writer closes meanwhile: every value arrives once, in order per reader, then EOFError.
    const [a, b] = Pipe<number>();
    const p1 = startPeer(ctx, 'recvAll', b);
    const p2 = startPeer(ctx, 'recvAll', b);
    const n = 300;
    for (let i = 0; i < n; i++) a.send(i);
    a.close();
    const mine: number[] = [];
    for await (const v of b) mine.push(v);
    const [r1, r2] = (await Promise.all([p1.result, p2.result])) as number[][];
    for (const got of [mine, r1!, r2!]) expect(got).toEqual([...got].sort((x, y) => x - y));
    expect([...mine, ...r1!, ...r2!].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    await expect(b.recv()).rejects.toBeInstanceOf(EOFError);
  });
});
