// Big sendBytes() messages over a socket: written straight from the caller's memory when the kernel
// takes them, else copied into the send pool, whose slabs are reused only once written. Every test
// changes the caller's buffer right after each send, so a byte sent from memory that was not the
// kernel's or a private copy's by then shows up as a wrong byte on the other side.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EOFError, Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { poolFreeBytes } from '../src/internal/link/send-pool.js';
import { SocketLink } from '../src/internal/link/socket-link.js';
import { checkMixed, fillMixed, mixedSize, sendMixed } from './fixtures/scenarios.mjs';
import { type Context, killAll, startPeer } from './helpers.js';

const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) f();
  await killAll();
});

interface Got {
  op: number;
  a: number;
  body: Uint8Array;
}

// Two SocketLinks over a real Unix socket in this thread: `out` dials, `home` is the accepted end.
async function socketPair(): Promise<{ out: SocketLink; got: Got[]; arrived: (n: number) => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mp-bytes-'));
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 's.sock'), resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const out = SocketLink.connect(join(dir, 's.sock'));
  const home = new SocketLink(await accepted);
  const got: Got[] = [];
  let wake = () => {};
  home.onFrame = (op, a, _b, body) => {
    got.push({ op, a, body: (body as Uint8Array).slice() });
    wake();
  };
  cleanup.push(() => {
    out.end();
    home.end();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const arrived = async (n: number) => {
    while (got.length < n) await new Promise<void>((resolve) => (wake = resolve));
  };
  out.send(1, 0, 0, new Uint8Array([9])); // connected once this arrives
  await arrived(1);
  got.length = 0;
  return { out, got, arrived };
}

const pattern = (i: number, n: number) => new Uint8Array(n).map((_, j) => (i * 31 + j) & 0xff);

describe('sendBytes over a socket link', () => {
  it('writes a big frame straight to the kernel: nothing stays queued, nothing is copied', async () => {
    const { out, got, arrived } = await socketPair();
    const bytes = pattern(1, 64 * 1024);
    const free = poolFreeBytes();
    expect(out.sendBytesNow(20, 7, 0, 2, bytes)).toBe(true);
    expect(out.pendingBytes).toBe(0); // the kernel took header and body before the call returned
    bytes.fill(0); // the caller's memory is its own again
    await arrived(1);
    expect(got[0]!.a).toBe(7);
    expect(got[0]!.body[0]).toBe(2);
    expect(Buffer.compare(got[0]!.body.subarray(1), pattern(1, 64 * 1024))).toBe(0);
    expect(poolFreeBytes()).toBe(free);
  });

  it('copies what the kernel cannot take into the pool, in order with the frames around it', async () => {
    const { out, got, arrived } = await socketPair();
    const caller = new Uint8Array(64 * 1024);
    // The reader is this thread, so the socket fills after a few frames: the rest are copied (and
    // the sender's wait for room gives up once, as nobody reads while it waits).
    const round = (base: number) => {
      for (let i = base; i < base + 40; i++) {
        caller.set(pattern(i, caller.length));
        expect(out.sendBytesNow(20, i, 0, 2, caller)).toBe(true);
        caller.fill(0xee);
        out.send(21, i, 0, new Uint8Array([i & 0xff]));
      }
    };
    const check = (base: number) => {
      for (let k = 0; k < 40; k++) {
        const [big, small] = [got[2 * k]!, got[2 * k + 1]!];
        expect([big.op, big.a, small.op, small.a]).toEqual([20, base + k, 21, base + k]);
        expect(Buffer.compare(big.body.subarray(1), pattern(base + k, caller.length))).toBe(0);
      }
    };
    round(0);
    expect(out.pendingBytes).toBeGreaterThan(0);
    await arrived(80);
    check(0);
    await out.drained();
    // Written slabs went back to the pool; a second burst takes them again before they are written.
    const free = poolFreeBytes();
    expect(free).toBeGreaterThan(0);
    got.length = 0;
    round(40);
    expect(poolFreeBytes()).toBeLessThan(free);
    await arrived(80);
    check(40);
  });
});

describe.each(matrix(import.meta.url))('many distinct big messages and values (%s)', (ctx) => {
  it('arrive whole and in order when this side sends them from one reused buffer', async () => {
    const [a, b] = Pipe();
    const n = 120;
    const peer = startPeer(ctx, 'checkMixed', b, n);
    b.close();
    sendMixed(a, n);
    expect(await peer.result).toBe(-1);
    a.close();
  });

  it('arrive whole and in order when the peer sends them from one reused buffer', async () => {
    const [a, b] = Pipe();
    const n = 120;
    const peer = startPeer(ctx, 'sendMixed', b, n);
    b.close();
    expect(await checkMixed(a, n)).toBe(-1);
    expect(await peer.result).toBe(n);
    const buf = new Uint8Array(mixedSize(0));
    expect(fillMixed(buf, 0)).toBe(buf.length); // the helpers agree on sizes
  });

  it('arrive whole and in order, then EOF, when the peer exits right after sending them', async () => {
    const [a, b] = Pipe();
    const n = 60;
    startPeer(ctx, 'sendMixedThenExit', b, n);
    b.close();
    a.send('go');
    expect(await checkMixed(a, n)).toBe(-1);
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
  });
});
