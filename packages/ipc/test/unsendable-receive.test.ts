// What a queue or pipe could lose or report raw (bbE 3-5): an item another process could not
// decode rejected with V8's bare Error; a schema with an async refine made every get() take an
// item and reject with zod's $ZodAsyncError (qsize fell to 0, nothing delivered); a nested Proxy
// sent on a pipe to a thread threw a raw DataCloneError, a revoked one a raw TypeError.
import v8 from 'node:v8';
import { Pipe, Queue, SerializationError, ValidationError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromItem } from '../src/internal/serialize.js';
import { type Context, killAll, startPeer } from './helpers.ts';

afterEach(killAll);

const positive = z.number().refine(async (v) => v > 0, 'must be positive');

describe('a received item this process cannot decode', () => {
  it('rejects with SerializationError saying so, not V8 bare Error', () => {
    // What a sender that let a compiled WebAssembly.Module through would have written.
    const ser = new v8.DefaultSerializer();
    ser.writeUint32(0); // a plain structured-clone item
    ser.writeHeader();
    const wasm = (globalThis as any).WebAssembly; // not in this package's lib (no DOM types)
    ser.writeValue({ m: new wasm.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) });
    const item = ser.releaseBuffer();
    const err = (() => {
      try {
        fromItem(new Uint8Array(item));
      } catch (e) {
        return e as SerializationError;
      }
    })();
    expect(err).toBeInstanceOf(SerializationError);
    expect(err?.code).toBe('MP_SERIALIZATION');
    expect(err?.message).toMatch(/Cannot decode a received value.*consumed/);
  });
});

describe('a schema with an asynchronous step', () => {
  it('a queue checks every item with it: nothing is lost, a bad item rejects and the next comes', {
    timeout: 10_000,
  }, async () => {
    const q = new Queue<number>({ schema: positive });
    try {
      for (const v of [1, -2, 3]) await q.put(v);
      expect(await q.get(1000)).toBe(1);
      const err = await q.get(1000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toContain('must be positive');
      expect(await q.get(1000)).toBe(3);
      expect(q.qsize()).toBe(0);
    } finally {
      q.close();
    }
  });

  it('getNowait() hands the item it took on the error, then refuses before taking one', () => {
    const q = new Queue<number>({ schema: z.number().refine(async () => true) });
    try {
      q.putNowait(1);
      q.putNowait(2);
      const first = (() => {
        try {
          q.getNowait();
        } catch (e) {
          return e as ValidationError & { value?: unknown };
        }
      })();
      expect(first).toBeInstanceOf(ValidationError);
      expect(first?.value).toBe(1);
      expect(() => q.getNowait()).toThrow(ValidationError);
      expect(q.qsize()).toBe(1);
    } finally {
      q.close();
    }
  });

  it('a pipe checks with it', { timeout: 10_000 }, async () => {
    const [a, b] = Pipe<number>({ schema: positive });
    a.send(-1);
    a.send(5);
    await expect(b.recv()).rejects.toBeInstanceOf(ValidationError);
    expect(await b.recv()).toBe(5);
    a.close();
    b.close();
  });
});

describe.each(['thread', 'process'] as Context[])('a Proxy sent on a pipe to a %s', (context) => {
  it('arrives as a copy of what it reads as, nested too; a revoked one throws SerializationError', {
    timeout: 15_000,
  }, async () => {
    const [a, b] = Pipe();
    const peer = startPeer(context, 'echo', b);
    b.close();
    const values = [
      new Proxy({ a: 1 }, {}),
      { nested: new Proxy({ a: 1 }, {}) },
      [new Proxy({}, {})],
      new Proxy([1], {}),
    ];
    for (const v of values) {
      a.send(v);
      expect(await a.recv()).toEqual(JSON.parse(JSON.stringify(v)));
    }
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const bad of [revoked.proxy, { x: revoked.proxy }]) {
      let err: unknown;
      try {
        a.send(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SerializationError);
    }
    const q = new Queue();
    await expect(q.put(revoked.proxy)).rejects.toBeInstanceOf(SerializationError);
    q.close();
    a.close();
    expect(await peer.result).toBe(values.length);
  });
});
