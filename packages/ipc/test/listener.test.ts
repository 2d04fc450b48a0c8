// Listener/Client (Python's multiprocessing.connection): the docs example with the client in a
// real Process of each context, a separate program as the listener, authkeys right and wrong,
// and a forged or replayed challenge, all over real sockets.
import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import {
  AuthenticationError,
  Client,
  ClosedError,
  Listener,
  ProcessError,
  Queue,
  ValidationError,
  wait,
} from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { cleanup, listen } from './net-kit.js';

const { tasks } = await import(new URL('./fixtures/net-tasks.mjs', import.meta.url).href);
const PROGRAM = new URL('./fixtures/listener-program.mjs', import.meta.url);
const SEND_AND_END = new URL('./fixtures/send-and-end.mjs', import.meta.url).pathname;
const ONE_PROGRAM = new URL('./fixtures/one-program-ends.mjs', import.meta.url).pathname;

/**
 * Starts the fixture server program that sends, then ends its listener (`how`: 'close' or 'end')
 * and its program; resolves with a Client connected to it and the program's exit code to come.
 */
async function sendAndEnd(how: string) {
  const child = spawn(process.execPath, [SEND_AND_END, 'k3y', how], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const exited = new Promise((r) => child.once('exit', r));
  const line = await new Promise<string>((resolve) =>
    child.stdout.once('data', (b: Buffer) => resolve(String(b))),
  );
  return { conn: await Client(JSON.parse(line), { authkey: 'k3y' }), exited };
}

function start(target: unknown, args: unknown[], context: string) {
  const p = new core.Process({ target, args, context });
  cleanup.push(() => p.isAlive() && p.kill());
  p.start();
  return p;
}

async function drain(q: Queue<string>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await q.get());
  return out;
}

// Writes/reads Python's 4-byte length-prefixed handshake messages on a raw socket.
function raw(socket: net.Socket) {
  let buf = Buffer.alloc(0);
  const waiting: ((b: Buffer) => void)[] = [];
  const pump = () => {
    while (waiting.length > 0 && buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const n = buf.readUInt32BE(0);
      const m = buf.subarray(4, 4 + n);
      buf = buf.subarray(4 + n);
      waiting.shift()!(Buffer.from(m));
    }
  };
  socket.on('error', () => {});
  socket.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    pump();
  });
  return {
    next: () =>
      new Promise<Buffer>((resolve) => {
        waiting.push(resolve);
        pump();
      }),
    send(m: Buffer) {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(m.length);
      socket.write(Buffer.concat([h, m]));
    },
  };
}

const hmac = (key: string, m: Buffer) =>
  Buffer.concat([Buffer.from('{sha256}'), createHmac('sha256', key).update(m).digest()]);

describe.each(matrix(import.meta.url))('the Python docs example, client in a Process (%s)', (context) => {
  it('prints what Python prints', { timeout: 20_000 }, async () => {
    const listener = listen(['localhost', 0], { authkey: 'secret password' });
    const out = new Queue<string>();
    start(tasks.docsClient, [await listener.ready(), 'secret password', out], context);
    const conn = await listener.accept();
    expect(listener.lastAccepted).toEqual([expect.any(String), expect.any(Number)]);
    conn.send([2.25, null, 'junk']);
    conn.sendBytes(new TextEncoder().encode('hello'));
    conn.sendBytes(new Int32Array([42, 1729]));
    // Python: [2.25, None, 'junk', <class 'float'>] / b'hello' / 8 / array('i', [42, 1729, 0, 0, 0])
    expect(await drain(out, 4)).toEqual(['[2.25,null,"junk"]', 'hello', '8', '[42, 1729, 0, 0, 0]']);
    await expect(conn.recv()).rejects.toMatchObject({ name: 'EOFError' });
  });

  it('a wrong authkey fails on both sides with AuthenticationError', { timeout: 20_000 }, async () => {
    const listener = listen(undefined, { authkey: 'right' });
    const out = new Queue<string>();
    start(tasks.tryConnect, [listener.address, 'wrong', out], context);
    const err = await listener.accept().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('MP_AUTHENTICATION');
    expect(await out.get()).toBe('AuthenticationError MP_AUTHENTICATION');
    // The listener lives on: the next client with the right key gets in.
    start(tasks.tryConnect, [listener.address, 'right', out], context);
    const conn = await listener.accept();
    expect(await conn.recv()).toBe('hi');
    expect(await out.get()).toBe('ok');
  });

  it('a client without the authkey fails on both sides with AuthenticationError', {
    timeout: 20_000,
  }, async () => {
    // accept() rejected with EOFError ("closed during the handshake"): the keyless client saw the
    // challenge and hung up without answering, so the listener could not tell a key mismatch.
    const listener = listen(undefined, { authkey: 'right' });
    const out = new Queue<string>();
    start(tasks.tryConnect, [listener.address, undefined, out], context);
    const err = await listener.accept().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/or it has none/);
    expect(await out.get()).toBe('AuthenticationError MP_AUTHENTICATION');
    start(tasks.tryConnect, [listener.address, 'right', out], context);
    const conn = await listener.accept();
    expect(await conn.recv()).toBe('hi');
    expect(await out.get()).toBe('ok');
  });
});

describe('Listener and Client', () => {
  it('a separate program listens on TCP; this one connects', { timeout: 20_000 }, async () => {
    const child = spawn(process.execPath, [PROGRAM.pathname, 'k3y'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
    const line = await new Promise<string>((resolve) =>
      child.stdout.once('data', (b: Buffer) => resolve(String(b))),
    );
    const conn = await Client(JSON.parse(line), { authkey: 'k3y' });
    conn.send(21);
    expect(await conn.recv()).toBe(42);
    conn.close();
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
  });

  it.each(['close', 'end'])(
    'what a server program sends just before it ends reaches the client (listener %s)',
    { timeout: 20_000 },
    async (how) => {
      const { conn, exited } = await sendAndEnd(how);
      expect(await conn.recv()).toEqual([2.25, null, 'junk']);
      const bytes = await conn.recvBytes();
      expect([bytes.byteLength, bytes[0], bytes[bytes.byteLength - 1]]).toEqual([256 * 1024, 7, 7]);
      expect(await conn.recv()).toBe('last');
      expect(await exited).toBe(0);
      await expect(conn.recv()).rejects.toMatchObject({ name: 'EOFError' });
      conn.close();
    },
  );

  it.each(['close', 'end'])(
    'a server program that sent and ended before the client reads: the client still gets it all (%s)',
    { timeout: 20_000 },
    async (how) => {
      const { conn, exited } = await sendAndEnd(how);
      expect(await conn.poll(10_000)).toBe(true);
      expect(await conn.recv()).toEqual([2.25, null, 'junk']);
      expect((await conn.recvBytes()).byteLength).toBe(256 * 1024);
      expect(await conn.recv()).toBe('last');
      expect(await exited).toBe(0);
      conn.close();
    },
  );

  it.each(['ends', 'exit'])(
    'a Client of a Listener in the same program does not hold up its exit (%s)',
    { timeout: 20_000 },
    async (how) => {
      const ms = await new Promise<number>((resolve, reject) => {
        execFile(process.execPath, [ONE_PROGRAM, how], { timeout: 15_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(Number(stdout.trim())),
        );
      });
      // Waiting for an answer from a home in this very thread took the full 5 s exit deadline.
      expect(ms).toBeLessThan(2500);
    },
  );

  it('accepted connections work with wait() and poll()', { timeout: 10_000 }, async () => {
    const listener = listen();
    const clients = [Client(listener.address), Client(listener.address)];
    const a = await listener.accept();
    const b = await listener.accept();
    const [ca, cb] = await Promise.all(clients);
    expect(await a.poll()).toBe(false);
    cb!.send('from one client');
    const ready = await wait([a, b], 5000);
    expect(ready).toHaveLength(1);
    expect(await ready[0]!.recv()).toBe('from one client');
    ca!.send('x');
    expect(await (ready[0] === a ? b : a).poll(5000)).toBe(true);
    ca!.close();
    cb!.close();
  });

  it('a key on one side only is refused', { timeout: 10_000 }, async () => {
    const keyed = listen(undefined, { authkey: 'k' });
    void keyed.accept().catch(() => {});
    await expect(Client(keyed.address)).rejects.toBeInstanceOf(AuthenticationError);
    const open = listen();
    void open.accept().catch(() => {});
    await expect(Client(open.address, { authkey: 'k' })).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('a replayed answer to an old challenge is refused', { timeout: 10_000 }, async () => {
    const listener = listen(undefined, { authkey: 'key' });
    const first = listener.accept();
    // A peer that knows the key answers once; the eavesdropper keeps its answer.
    const s1 = net.connect(listener.address as string);
    const r1 = raw(s1);
    const challenge = (await r1.next()).subarray('#CHALLENGE#'.length);
    const recorded = hmac('key', challenge);
    r1.send(recorded);
    expect(String(await r1.next())).toBe('#WELCOME#');
    s1.destroy();
    await first.catch(() => {});
    // The replay gets a fresh challenge, so the old answer fails.
    const second = listener.accept();
    second.catch(() => {}); // rejects before the test reads the verdict
    const s2 = net.connect(listener.address as string);
    cleanup.push(() => s2.destroy());
    const r2 = raw(s2);
    const fresh = (await r2.next()).subarray('#CHALLENGE#'.length);
    expect(fresh.equals(challenge)).toBe(false);
    r2.send(recorded);
    expect(String(await r2.next())).toBe('#FAILURE#');
    await expect(second).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('a forged challenge (no digest, too short) or a wrong answer is refused', {
    timeout: 10_000,
  }, async () => {
    for (const forge of ['short', 'no-digest', 'reflect']) {
      const server = net.createServer((s) => {
        const r = raw(s);
        if (forge === 'reflect') {
          // Acts as a client would: answers nothing, sends the listener's own challenge back.
          void r.next();
        }
        const body =
          forge === 'short'
            ? Buffer.from('{sha256}abc')
            : forge === 'no-digest'
              ? Buffer.alloc(40, 1)
              : Buffer.alloc(0);
        if (forge !== 'reflect') r.send(Buffer.concat([Buffer.from('#CHALLENGE#'), body]));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanup.push(() => server.close());
      const port = (server.address() as net.AddressInfo).port;
      if (forge === 'reflect') {
        // A listener whose peer sends back the challenge it was given refuses it.
        const listener = listen(undefined, { authkey: 'key' });
        const accepted = listener.accept();
        accepted.catch(() => {});
        const s = net.connect(listener.address as string);
        cleanup.push(() => s.destroy());
        const r = raw(s);
        const m = await r.next();
        r.send(hmac('wrong', m.subarray(11)));
        await expect(accepted).rejects.toBeInstanceOf(AuthenticationError);
        continue;
      }
      await expect(Client(['127.0.0.1', port], { authkey: 'key' })).rejects.toBeInstanceOf(
        AuthenticationError,
      );
    }
  });

  it('bad addresses and options are ValidationErrors; a closed listener is a ClosedError', async () => {
    expect(() => new Listener(['localhost', 70000])).toThrow(ValidationError);
    expect(() => new Listener('')).toThrow(ValidationError);
    expect(() => new Listener(undefined, { authkey: 3 as never })).toThrow(ValidationError);
    await expect(Client(42 as never)).rejects.toBeInstanceOf(ValidationError);
    // Options given first (Python's Listener(authkey=...)): the message names the fix, never the key.
    expect(() => new Listener({ authkey: 'k3y-value' } as never)).toThrow(
      /got an object with the keys authkey\. Options come second: write new Listener\(undefined, \{ authkey \}\)/,
    );
    expect(() => new Listener({ authkey: 'k3y-value' } as never)).not.toThrow(/k3y-value/);
    await expect(Client({ authkey: 'k' } as never)).rejects.toThrow(
      /write Client\(listener\.address, \{ authkey \}\)/,
    );
    const l = new Listener();
    const pending = l.accept();
    l.close();
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    await expect(l.accept()).rejects.toBeInstanceOf(ClosedError);
  });

  it.skipIf(process.platform === 'win32')(
    "a Windows named-pipe address is a ValidationError here (Python's TestInvalidFamily)",
    async () => {
      for (const address of ['\\\\.\\test', '\\\\.\\pipe\\multiproc-x']) {
        expect(() => new Listener(address)).toThrow(ValidationError);
        expect(() => new Listener(address)).toThrow(/AF_PIPE/);
        await expect(Client(address)).rejects.toBeInstanceOf(ValidationError);
      }
      expect(existsSync('\\\\.\\test')).toBe(false);
    },
  );

  it('address stays readable after close(), as in Python: the Unix path, or the bound [host, port]', async () => {
    const unix = new Listener();
    const path = unix.address;
    unix.close();
    expect(unix.address).toBe(path);
    const tcp = new Listener(['127.0.0.1', 0]);
    const [host, port] = (await tcp.ready()) as [string, number];
    expect(port).toBeGreaterThan(0);
    tcp.close();
    expect(tcp.address).toEqual([host, port]);
    // Closed before it was bound, a TCP listener never had a port: that is a ClosedError.
    const early = new Listener(['127.0.0.1', 0]);
    early.close();
    expect(() => early.address).toThrow(ClosedError);
  });

  it('address of a TCP listener not bound yet throws a ProcessError that is not a ClosedError', async () => {
    const l = new Listener(['127.0.0.1', 0]);
    let err: unknown;
    try {
      void l.address;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProcessError);
    expect(err).not.toBeInstanceOf(ClosedError);
    expect((await l.ready()) as [string, number]).toEqual(l.address);
    l.close();
  });
});
