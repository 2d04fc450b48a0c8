// The codec's limits: a value nested deeper than a receiver's deserializer can rebuild is refused
// at the sender (every route: the quick scan, the full walk, JSON text), and a sparse array costs
// what its elements cost, keeping its holes as structured clone does.
import { describe, expect, it } from 'vitest';
import { decodeJson, decodeValue, encodeJson, encodeValue, SerializationError } from '../src/index.ts';

const objects = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { c: v };
  return v;
};
const arrays = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

function refusal(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SerializationError);
    return err as SerializationError;
  }
  throw new Error('not refused');
}

describe('nesting limit (1000 levels)', () => {
  it('sends 1000 levels and refuses 1001 with SerializationError naming the path and the limit', () => {
    expect(encodeValue(objects(1000), 'thread', 'value').encoded).toBe(false);
    const err = refusal(() => encodeValue(objects(1001), 'process', 'args[0]'));
    expect(err.path).toBe(`args[0]${'.c'.repeat(1000)}`);
    expect(err.message).toMatch(/more than 1000 levels/);
    expect(refusal(() => encodeValue(arrays(5000), 'thread', 'value')).path).toMatch(/^value(\[0\])+$/);
  });

  it('counts levels under an encoded object and in Maps and Sets too', () => {
    const deepMap = (depth: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < depth; i++) v = new Map([['k', v]]);
      return v;
    };
    expect(refusal(() => encodeValue(deepMap(1500), 'thread')).path).toMatch(/^value(\.get\("k"\))+$/);
    expect(
      refusal(() => encodeValue({ at: new URL('https://a.example'), deep: objects(2000) }, 'thread')).path,
    ).toMatch(/^value\.deep/);
  });

  it('still sends a cyclic value (its cycle is not depth)', () => {
    const a: Record<string, unknown> = { n: 1 };
    a.self = a;
    expect(encodeValue(a, 'thread').value).toBe(a);
  });

  it('JSON text refuses past the limit, so the caller falls back to the codec, which names the path', () => {
    expect(decodeJson(encodeJson(objects(1000))!)).toEqual(objects(1000));
    expect(encodeJson(objects(1001))).toBeUndefined();
  });
});

describe('sparse arrays', () => {
  it('encode and decode by own keys (a[4e9] = 1 is one element) and keep holes', { timeout: 10_000 }, () => {
    const a: unknown[] = [];
    a[3] = new URL('https://a.example');
    a[4e9] = { n: 1 };
    const sent = encodeValue(a, 'thread');
    expect(sent.encoded).toBe(true);
    const back = decodeValue(structuredClone(sent.value), 'thread') as unknown[];
    expect(back.length).toBe(4e9 + 1);
    expect(Object.keys(back)).toEqual(['3', '4000000000']);
    expect(back[3]).toBeInstanceOf(URL);
    expect(back[4e9]).toEqual({ n: 1 });
    expect(a[3]).toBeInstanceOf(URL); // the input is not changed
  });

  it('a plain sparse array passes as it is, and JSON text declines it (a clone keeps holes)', {
    timeout: 10_000,
  }, () => {
    const a: unknown[] = [1];
    a[2 ** 32 - 2] = 2;
    expect(encodeValue(a, 'process').value).toBe(a);
    expect(encodeJson(a)).toBeUndefined();
    const holey: unknown[] = [1];
    holey[2] = () => {};
    expect(() => encodeValue(holey, 'thread')).toThrow(SerializationError);
  });
});
