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
import type { ChannelEndpoint } from '../src/internal/protocol/reader-copy.js';
import { readWillAtClose, willPath, writeWill } from '../src/internal/runtime/will.js';
import { bytesToItem } from '../src/internal/serialize.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One open reading copy in another process that was sent `items` and reported none taken. */
function endpointsWith(items: Item[]): ChannelEndpoint[] {
  const copy = { phase: 'open', delivered: { length: items.length, peekAll: () => items } };
  return [{ read: {}, copies: [copy] } as unknown as ChannelEndpoint];
}

describe('the will of a copy holding bytes moved from the sender', () => {
  it('carries what came before the first moved item, and how many items from there on are lost', () => {
    const left: [Item[], number | undefined][] = [];
    const a = new Uint8Array([1, 2, 3]);
    leaveUnconfirmed(
      endpointsWith([a, MOVED, 'x']),
      () => 'token',
      (_token, items, lost) => left.push([items, lost]) > 0,
    );
    expect(left).toEqual([[[a], 2]]);
  });

  it('a copy with nothing moved is left everything, none lost', () => {
    const left: [Item[], number | undefined][] = [];
    leaveUnconfirmed(
      endpointsWith(['x', 'y']),
      () => 'token',
      (_token, items, lost) => left.push([items, lost]) > 0,
    );
    expect(left).toEqual([[['x', 'y'], undefined]]);
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
    const frames: number[] = [];
    const onFrame = (op: number) => void frames.push(op);
    // Nothing came over the link: the empty will is read (no frames) and taken as H_HEIR.
    expect(writeWill(path, [])).toBe(true);
    expect(readWillAtClose(path, false, false, onFrame)).toBe(true);
    expect(existsSync(path)).toBe(false);
    // Frames came, H_HEIR did not (a reset): an empty will still says nothing was lost.
    expect(writeWill(path, [])).toBe(true);
    expect(readWillAtClose(path, true, false, onFrame)).toBe(true);
    expect(existsSync(path)).toBe(false);
    // Frames came and the will holds items: the copy cannot tell which it got; removed unread.
    expect(writeWill(path, ['x'])).toBe(true);
    expect(readWillAtClose(path, true, false, onFrame)).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(frames).toEqual([]);
    // No will: a killed home.
    expect(readWillAtClose(path, false, false, onFrame)).toBe(false);
  });
});
