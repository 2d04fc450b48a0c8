// A pipe made in a worker that ends while its reader in another process holds big sendBytes()
// payloads written from the sender's memory (not kept at home): if that reader's connection is
// reset before it reads them (the race of packages/ipc/DESIGN.md, "A copy that connected may not
// know it yet"), they cannot be handed on. The home's will then carries what came before them and
// how many are lost, and the reader gets those first, then EOFError saying how many were lost,
// instead of a bare end (silent loss). Before, such a reader got no will at all.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection, EOFError } from '@multiproc/ipc';
import { CODEC_TAG, decodeValue } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { leaveUnconfirmed } from '../src/internal/protocol/bequest.js';
import { type Item, MOVED } from '../src/internal/protocol/item.js';
import { ItemBuffer } from '../src/internal/protocol/item-buffer.js';
import type { ChannelEndpoint } from '../src/internal/protocol/reader-copy.js';
import { takeWill, type Will } from '../src/internal/protocol/will-heir.js';
import { readWillAtClose, willPath, writeWill } from '../src/internal/runtime/will.js';
import { bytesToItem } from '../src/internal/serialize.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One open reading copy in another process that reported 4 items taken and was sent `items` after them. */
function endpointsWith(items: Item[]): ChannelEndpoint[] {
  const copy = { phase: 'open', taken: 4, delivered: { length: items.length, peekAll: () => items } };
  return [{ read: {}, copies: [copy] } as unknown as ChannelEndpoint];
}

describe('the will of a copy holding bytes moved from the sender', () => {
  it('carries what came before the first moved item, and how many items from there on are lost', () => {
    const left: [Item[], number | undefined, number | undefined][] = [];
    const a = new Uint8Array([1, 2, 3]);
    leaveUnconfirmed(
      endpointsWith([a, MOVED, 'x']),
      () => 'token',
      (_token, items, lost, from) => left.push([items, lost, from]) > 0,
    );
    expect(left).toEqual([[[a], 2, 4]]);
  });

  it('a copy with nothing moved is left everything, none lost', () => {
    const left: [Item[], number | undefined, number | undefined][] = [];
    leaveUnconfirmed(
      endpointsWith(['x', 'y']),
      () => 'token',
      (_token, items, lost, from) => left.push([items, lost, from]) > 0,
    );
    expect(left).toEqual([[['x', 'y'], 0, 4]]);
  });

  it('the reader that finds its home gone reads what came before, then EOFError saying how many were lost', {
    timeout: 20_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-will-lost-'));
    dirs.push(dir);
    // A home that listened here and is gone: nothing listens, and it left this copy a will.
    const path = join(dir, 'home.sock');
    expect(writeWill(willPath(path, 'tok'), [bytesToItem(new Uint8Array([7, 7, 7]))], 2)).toBe(true);
    const conn = decodeValue<unknown>(
      {
        [CODEC_TAG]: 'multiproc.Connection',
        data: { h: { path, id: 1, end: 0, token: 'tok' }, readable: true, writable: false },
      },
      'process',
    ) as Connection<never>;
    try {
      expect([...(await conn.recvBytes())]).toEqual([7, 7, 7]);
      const err = await conn.recvBytes().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EOFError);
      expect((err as EOFError).message).toMatch(/^2 message\(s\) .* lost/);
    } finally {
      conn.close();
    }
  });

  it('an empty will says the home ran its exit hooks, also to a copy whose link closed before H_HEIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-will-lost-'));
    dirs.push(dir);
    const path = join(dir, 'copy.left');
    const wills: Will[] = [];
    const inherit = (w: Will) => wills.push(w) > 0;
    // Nothing came over the link: the empty will is read and taken.
    expect(writeWill(path, [])).toBe(true);
    expect(readWillAtClose(path, false, false, inherit)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(wills.splice(0)).toEqual([{ from: null, items: [], lost: 0 }]);
    // Frames came, H_HEIR did not (a reset): an empty will still says nothing was lost.
    expect(writeWill(path, [])).toBe(true);
    expect(readWillAtClose(path, true, false, inherit)).toBe(true);
    expect(existsSync(path)).toBe(false);
    // Frames came and the will holds items that follow nothing said: the copy cannot place them.
    expect(writeWill(path, ['x'])).toBe(true);
    expect(readWillAtClose(path, true, false, inherit)).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(wills).toEqual([]);
    // An open copy's will says what its items follow: the copy places them (will-heir.ts).
    expect(writeWill(path, ['x'], 2, 7)).toBe(true);
    expect(readWillAtClose(path, true, false, inherit)).toBe(true);
    expect(wills.map((w) => [w.from, w.items.length, w.lost])).toEqual([[7, 1, 2]]);
    // H_HEIR came: the link brought it all; the will is removed unread.
    expect(writeWill(path, ['x'], 0, 7)).toBe(true);
    expect(readWillAtClose(path, true, true, inherit)).toBe(false);
    expect(existsSync(path)).toBe(false);
    // No will: a killed home.
    expect(readWillAtClose(path, false, false, inherit)).toBe(false);
  });
});

describe('a will taken by a copy whose link brought frames and closed before H_HEIR', () => {
  const buffer = (...items: string[]) => {
    const b = new ItemBuffer(false);
    for (const i of items) b.push(i);
    return b;
  };
  const drain = (b: ItemBuffer) => Array.from({ length: b.length }, () => b.shift());
  const none = () => false;

  it('skips what the copy took and its home had not heard, and replaces what it holds by the rest', () => {
    // Home heard 3 taken and sent c, d, e, f after; the copy took 5 (c, d) and holds e.
    const b = buffer('e');
    expect(takeWill(b, none, 5, { from: 3, items: ['c', 'd', 'e', 'f'], lost: 0 })).toBe(0);
    expect(drain(b)).toEqual(['e', 'f']);
  });

  it('keeps what it holds of the items past the will (bytes the home did not keep); the rest is lost', () => {
    // The will has a; b, c, d were moved. The copy took a and b, holds c: d never came.
    const b = buffer('c');
    expect(takeWill(b, none, 2, { from: 0, items: ['a'], lost: 3 })).toBe(1);
    expect(drain(b)).toEqual(['c']);
  });

  it('hands the first item to a get waiting, the rest stay', () => {
    const taken: unknown[] = [];
    const b = buffer();
    const oneGet = (i: unknown) => taken.length === 0 && taken.push(i) > 0;
    expect(takeWill(b, oneGet, 0, { from: 0, items: ['a', 'b'], lost: 0 })).toBe(0);
    expect(taken).toEqual(['a']);
    expect(drain(b)).toEqual(['b']);
  });

  it('a will that says the copy took more than it was sent does not fit: nothing changes', () => {
    const b = buffer('x');
    expect(takeWill(b, none, 9, { from: 0, items: ['a'], lost: 0 })).toBeNull();
    expect(drain(b)).toEqual(['x']);
  });

  it('a will that follows nothing (a copy still reserved) comes after what the copy holds', () => {
    const b = buffer('x');
    expect(takeWill(b, none, 4, { from: null, items: ['a'], lost: 2 })).toBe(2);
    expect(drain(b)).toEqual(['x', 'a']);
  });
});
