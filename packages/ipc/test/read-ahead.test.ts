// How much a queue copy reads ahead: a window of items (big enough that a streaming consumer does not
// run dry while its demand travels to a busy producer and back), and at home a bound in bytes, so
// that window never means gigabytes of big items held by one consumer. The protocol core alone.
import { describe, expect, it } from 'vitest';
import { HomeProtocol } from '../src/internal/protocol/home.js';
import type { HomeActions } from '../src/internal/protocol/home-copy.js';
import type { Item } from '../src/internal/protocol/item.js';
import { Op } from '../src/internal/protocol/ops.js';
import { MAX_AHEAD_BYTES } from '../src/internal/protocol/read-ahead.js';
import { MAX_WINDOW } from '../src/internal/protocol/receiver-demand.js';

function homeWithCopy(pipe = false) {
  const data: { tag: number; item: Item }[] = [];
  const out: HomeActions = {
    send: (_c, op, _a, b, body) => {
      if (op === Op.H_DATA) data.push({ tag: b, item: body! });
    },
    sendNow: () => false,
    sendBytesNow: () => null,
    end: () => {},
    linger: () => {},
    settle: () => {},
    startTimer: () => {},
    hold: () => {},
    listen: () => {},
  };
  const home = new HomeProtocol(
    pipe ? { kind: 'pipe', duplex: false } : { kind: 'queue', maxsize: 0, joinable: false },
    out,
  );
  const copy = home.attach(0);
  return { home, copy, data };
}

describe('read-ahead of a queue copy', () => {
  it('stops at MAX_AHEAD_BYTES held, goes on as items are reported used, serves a waiting get past it', () => {
    const { home, copy, data } = homeWithCopy();
    const MiB = 1024 * 1024;
    home.frame(copy, Op.R_DEMAND, 0, 1000, ''); // 1000 items of read-ahead credit
    for (let i = 0; i < 40; i++) expect(home.tryPut(0, { value: i, bytes: MiB })).toBe(true);
    const held = MAX_AHEAD_BYTES / MiB;
    expect(data).toHaveLength(held);
    expect(home.main.size).toBe(40); // qsize counts what waits at home and what the copy holds
    home.frame(copy, Op.R_TAKEN, 4, 0, '');
    expect(data).toHaveLength(held + 4);
    // A get that waits is served whatever the copy holds.
    home.frame(copy, Op.R_DEMAND, 1, 0, '');
    expect(data).toHaveLength(held + 5);
    expect(data.at(-1)!.tag).toBe(1);
    // In order, nothing twice.
    expect(data.map((d) => (d.item as { value: number }).value)).toEqual([...Array(held + 5).keys()]);
  });

  it('streams small items up to the window, not the byte bound', () => {
    const { home, copy, data } = homeWithCopy();
    home.frame(copy, Op.R_DEMAND, 0, MAX_WINDOW, '');
    for (let i = 0; i < MAX_WINDOW + 10; i++) home.tryPut(0, { value: i, bytes: 40 });
    expect(MAX_WINDOW).toBeGreaterThanOrEqual(8192);
    expect(data).toHaveLength(MAX_WINDOW);
    expect(home.main.size).toBe(MAX_WINDOW + 10);
  });

  it('leaves a pipe end unbounded: it reads everything as it comes', () => {
    // One-way pipe: the copy is the receive end (0); the home sends from end 1.
    const { home, copy, data } = homeWithCopy(true);
    home.frame(copy, Op.R_DEMAND, 0, 1000, '');
    for (let i = 0; i < 40; i++) expect(home.tryPut(1, { value: i, bytes: 1024 * 1024 })).toBe(true);
    expect(data).toHaveLength(40);
  });
});
