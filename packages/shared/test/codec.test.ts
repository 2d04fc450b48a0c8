import { MessageChannel } from 'node:worker_threads';
import {
  CODEC_TAG,
  ContextError,
  decodeValue,
  type EncodeContext,
  encodeSymbol,
  encodeValue,
  ProcessError,
  registerCodec,
  SerializationError,
  ValidationError,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

class Point {
  readonly x: number;
  readonly y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  [encodeSymbol](ctx: EncodeContext) {
    if (ctx.target === 'process' && this.x < 0) throw new ContextError(`${ctx.path} stays in threads`);
    return { type: 'test.Point', data: [this.x, this.y] };
  }
}
registerCodec('test.Point', ([x, y]: [number, number]) => new Point(x, y));

describe('codec protocol', () => {
  it('returns the input untouched when nothing needs encoding', () => {
    const input = { a: [1, 2, 3], b: 'x', c: new Uint8Array(4) };
    const out = encodeValue(input, 'thread');
    expect(out.value).toBe(input);
    expect(out.encoded).toBe(false);
  });

  it('encodes nested objects and decodes them after a structured clone', () => {
    const p = new Point(1, 2);
    const out = encodeValue({ list: [p, { deep: p }], m: new Map([['k', p]]) }, 'thread', 'args');
    expect(out.encoded).toBe(true);
    expect((out.value.list[0] as any)[CODEC_TAG]).toBe('test.Point');
    const back = decodeValue(structuredClone(out.value), 'thread');
    expect(back.list[0]).toBeInstanceOf(Point);
    expect((back.list[1] as any).deep).toBeInstanceOf(Point);
    expect(back.m.get('k')).toEqual(new Point(1, 2));
  });

  it('names the path of a function it cannot send', () => {
    const err = (() => {
      try {
        encodeValue([1, { onDone: () => 0 }], 'thread', 'args');
      } catch (e) {
        return e;
      }
    })() as SerializationError;
    expect(err).toBeInstanceOf(SerializationError);
    expect(err).toBeInstanceOf(ProcessError);
    expect(err.code).toBe('MP_SERIALIZATION');
    expect(err.path).toBe('args[1].onDone');
    expect(err.message).toContain('args[1].onDone');
  });

  it('names the path of a part that throws while it is read (a getter, a Proxy trap), cause kept', () => {
    const thrown = (value: unknown) => {
      try {
        encodeValue(value, 'thread', 'value');
      } catch (e) {
        return e as SerializationError;
      }
      throw new Error('encodeValue accepted it');
    };
    const trap = new Error('trap');
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw trap;
        },
      },
    );
    for (const [value, path] of [
      [proxy, 'value'],
      [{ list: [1, proxy] }, 'value.list[1]'],
      [new Map([['k', proxy]]), 'value.get("k")'],
      // A primitive key is spelt as in JavaScript; an object key has no short spelling.
      [new Map<unknown, unknown>([[1, proxy]]), 'value.get(1)'],
      [new Map<unknown, unknown>([[2n, proxy]]), 'value.get(2n)'],
      [new Map<unknown, unknown>([[null, proxy]]), 'value.get(null)'],
      [new Map<unknown, unknown>([[{}, proxy]]), 'value.get(…)'],
      [
        {
          a: 1,
          get b(): number {
            throw trap;
          },
        },
        'value.b',
      ],
      [
        [
          { ok: 1 },
          {
            get b(): number {
              throw trap;
            },
          },
        ],
        'value[1].b',
      ],
    ] as const) {
      const err = thrown(value);
      expect(err).toBeInstanceOf(SerializationError);
      expect(err.path).toBe(path);
      expect(err.message).toContain(path);
      expect(err.cause).toBe(trap);
    }
  });

  it('lets an encoder refuse a target', () => {
    expect(() => encodeValue([new Point(-1, 0)], 'process', 'args')).toThrow(ContextError);
  });

  it('lists a MessagePort for transfer to a thread and refuses it for a process', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const r = encodeValue([{ reply: port1 }, port1], 'thread', 'args');
      expect(r.transfer).toEqual([port1]); // once, however often it appears
      const err = (() => {
        try {
          encodeValue([{ reply: port2 }], 'process', 'args');
        } catch (e) {
          return e as SerializationError;
        }
      })();
      expect(err).toBeInstanceOf(SerializationError);
      expect(err?.path).toBe('args[0].reply');
    } finally {
      port1.close();
    }
  });

  it('sends a class with its own Symbol.toStringTag, or a Date subclass, as a structured clone does', () => {
    class Tagged {
      x = 1;
      get [Symbol.toStringTag]() {
        return 'Tagged';
      }
    }
    class MyDate extends Date {}
    for (const target of matrix(import.meta.url)) {
      const { value } = encodeValue({ t: new Tagged(), d: new MyDate(5) }, target, 'value');
      const got = decodeValue(structuredClone(value), target) as { t: unknown; d: unknown };
      expect(got.t).toEqual({ x: 1 });
      expect(got.d).toBeInstanceOf(Date);
      expect((got.d as Date).getTime()).toBe(5);
    }
    // A platform object is still one, also when the program's class extends it.
    class MyBlob extends Blob {}
    expect(() => encodeValue([new MyBlob(['x'])], 'process', 'args')).toThrow(SerializationError);
  });

  it('names the path of a WeakMap or a Promise; a class instance travels as its own fields', () => {
    class Account {
      balance = 1;
      deposit(n: number) {
        this.balance += n;
      }
    }
    class Data {
      x = 1;
    }
    const pathOf = (value: unknown) => {
      try {
        encodeValue(value, 'thread', 'args');
      } catch (e) {
        return [(e as SerializationError).name, (e as SerializationError).path];
      }
    };
    // As structured clone copies it (the contract's rule): own fields, no methods, no class.
    expect(pathOf([{ acct: new Account() }])).toBeUndefined();
    const { value } = encodeValue({ acct: new Account() }, 'process', 'value');
    expect(structuredClone(decodeValue(structuredClone(value), 'process'))).toEqual({ acct: { balance: 1 } });
    expect(pathOf([1, new WeakMap()])).toEqual(['SerializationError', 'args[1]']);
    expect(pathOf([Promise.resolve(1)])).toEqual(['SerializationError', 'args[0]']);
    // Fields only: it arrives as a plain object with the same fields, as structured clone does.
    expect(pathOf([new Data(), new Error('e'), new Date(0)])).toBeUndefined();
  });

  it('registerCodec() refuses a type that is not a non-empty string or a decode that is not a function', () => {
    for (const [type, decode] of [
      [5, 'x'],
      ['', () => 0],
      ['test.Ok', 'x'],
      ['test.Ok', undefined],
    ] as const) {
      const err = (() => {
        try {
          registerCodec(type as never, decode as never);
        } catch (e) {
          return e;
        }
      })() as ValidationError;
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.code).toBe('MP_VALIDATION');
      expect(err.message).toMatch(typeof type === 'string' && type !== '' ? /decode/ : /type/);
    }
  });

  it('encodes a URL found deep in a plain object, and refuses Headers naming the path for both targets', () => {
    for (const target of matrix(import.meta.url)) {
      const out = encodeValue({ list: [1, { url: new URL('https://example.org/p') }] }, target, 'args');
      expect(out.encoded).toBe(true);
      const back = decodeValue(structuredClone(out.value), target) as any;
      expect(back.list[1].url).toBeInstanceOf(URL);
      expect(back.list[1].url.href).toBe('https://example.org/p');
      expect(() => encodeValue([{ h: new Headers() }], target, 'args')).toThrow(
        expect.objectContaining({ name: 'SerializationError', path: 'args[0].h' }),
      );
    }
  });

  it('handles cycles', () => {
    const a: any = { n: 1 };
    a.self = a;
    expect(encodeValue(a, 'thread').value).toBe(a);
  });

  describe('plain data is sent as it is, and anything else still found deep inside', () => {
    class Node {
      type = 'Identifier';
      start = 0;
      children: unknown[] = [];
    }
    const tree = (leaf: unknown) => {
      const root = new Node();
      root.children.push({ when: new Date(0), re: /x/, err: new Error('e'), bytes: new Float64Array(2) });
      root.children.push([1, 'two', null, undefined, 3n, [new Node(), { deep: [{ leaf }] }]]);
      return root;
    };

    // (To a process a small typed array is copied out on arrival: codec-views.test.ts.)
    it('returns class instances, errors, dates and typed arrays untouched', () => {
      const input = tree(1);
      const out = encodeValue(input, 'thread');
      expect(out.value).toBe(input);
      expect(out.encoded).toBe(false);
      expect(out.transfer).toEqual([]);
    });

    it('still names the path of a function or symbol deep in class instances', () => {
      expect(() =>
        encodeValue(
          tree(() => 0),
          'thread',
          'result',
        ),
      ).toThrow(expect.objectContaining({ path: 'result.children[1][5][1].deep[0].leaf' }));
      expect(() => encodeValue(tree(Symbol('s')), 'thread', 'result')).toThrow(SerializationError);
    });

    it('still encodes an encodable, a Buffer or a Map holding one deep inside', () => {
      for (const leaf of [new Point(1, 2), Buffer.from('hi'), new Map([['p', new Point(3, 4)]])]) {
        const out = encodeValue(tree(leaf), 'thread', 'result');
        expect(out.encoded).toBe(true);
        const back = decodeValue(
          structuredClone(out.value, { transfer: out.transfer as ArrayBuffer[] }),
          'thread',
        );
        const got = (back.children[1] as any)[5][1].deep[0].leaf;
        if (leaf instanceof Map) expect(got.get('p')).toBeInstanceOf(Point);
        else expect(got).toEqual(leaf);
      }
    });

    it('still refuses shared memory deep inside for a process and keeps it for a thread', () => {
      const shared = new Int32Array(new SharedArrayBuffer(8));
      expect(() => encodeValue(tree(shared), 'process', 'args')).toThrow(ContextError);
      expect(encodeValue(tree(shared), 'thread').encoded).toBe(false);
    });

    it('sends a list 1000 levels deep as it is, and refuses a deeper one the receiver could not rebuild', () => {
      let list: { next: unknown } = { next: null };
      for (let i = 0; i < 999; i++) list = { next: list };
      const out = encodeValue(list, 'thread');
      expect(out.value).toBe(list);
      expect(out.encoded).toBe(false);
      for (let i = 0; i < 20_000; i++) list = { next: list };
      expect(() => encodeValue(list, 'thread')).toThrow(SerializationError);
    });

    it('keeps cycles through class instances', () => {
      const input = tree(1);
      input.children.push(input);
      expect(encodeValue(input, 'thread').value).toBe(input);
    });
  });
});
