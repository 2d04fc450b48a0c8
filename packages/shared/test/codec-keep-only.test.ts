// `keepOnly`: a sender that encodes a value later (a pool's map chunk) takes the keepers of what
// the value holds now, without encoding anything or copying its plain data.
import {
  type EncodeContext,
  type Encoded,
  encodeSymbol,
  encodeValue,
  type Keeper,
  keepSymbol,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

/** An object with a handle that a keeper copies from (as a Queue or pipe end). */
class Handle {
  encodes = 0;
  keepers = 0;
  released = 0;
  closed = false;
  [encodeSymbol](_ctx: EncodeContext): Encoded {
    this.encodes++;
    if (this.closed) throw new Error('closed');
    return { type: 'test.handle', data: null };
  }
  [keepSymbol](_ctx: EncodeContext): Keeper {
    if (this.closed) throw new Error('closed');
    this.keepers++;
    return {
      [encodeSymbol]: () => ({ type: 'test.handle', data: 'kept' }),
      release: () => void this.released++,
    };
  }
}

describe('encodeValue(..., { keepOnly })', () => {
  it('takes one keeper per object held, encodes nothing and returns the input', () => {
    const h = new Handle();
    const item = { conn: h, also: [h, new Map([['k', h]])], n: 1, buf: Buffer.from('ab') };
    const keep = new Map<object, Keeper>();
    const result = encodeValue(item, 'thread', 'items[0]', { keep, keepOnly: true });
    expect(result.value).toBe(item);
    expect(result.encoded).toBe(false);
    expect(h.keepers).toBe(1);
    expect(h.encodes).toBe(0);
    expect([...keep.keys()]).toEqual([h]);
    // The later encode goes through the keeper, even once the object's own handle is closed.
    h.closed = true;
    const later = encodeValue(item, 'thread', 'items[0]', { keep });
    expect(later.encoded).toBe(true);
    expect(h.encodes).toBe(0);
  });

  it('takes nothing from plain data, and reports no error for an unsendable part', () => {
    const keep = new Map<object, Keeper>();
    expect(encodeValue({ a: [1, 2], b: 'x' }, 'process', 'v', { keep, keepOnly: true }).value).toEqual({
      a: [1, 2],
      b: 'x',
    });
    const h = new Handle();
    const bad = { h, f: () => 1 };
    expect(() => encodeValue(bad, 'process', 'v', { keep, keepOnly: true })).not.toThrow();
    expect(keep.size).toBe(1);
  });
});
