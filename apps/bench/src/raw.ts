/**
 * Raw Node baselines: a worker thread on a MessageChannel, a forked child on `process.send`, and
 * bare start-to-exit of each. The message protocol matches the fixtures (a count, then that many
 * messages, then 'done').
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { nowMs } from './harness.js';
import { fixturePath, fixtureUrl } from './paths.js';

/** A small object, the same shape the Python cases send. */
export function smallItem(i: number): { id: number; name: string; value: number } {
  return { id: i, name: 'item', value: 1.5 };
}

/** Something that sends messages and emits the answers as 'message' events. */
interface Endpoint {
  post(message: unknown): void;
  next(): Promise<unknown>;
  close(): Promise<void>;
}

function queueOf(on: (listener: (m: unknown) => void) => void): () => Promise<unknown> {
  const waiting: ((m: unknown) => void)[] = [];
  const ready: unknown[] = [];
  on((m) => {
    const w = waiting.shift();
    if (w) w(m);
    else ready.push(m);
  });
  return () => (ready.length > 0 ? Promise.resolve(ready.shift()) : new Promise((r) => waiting.push(r)));
}

/** A worker thread on its own MessageChannel, in `sink` or `echo` mode, ready to use. */
export async function startPortPeer(mode: 'sink' | 'echo'): Promise<Endpoint> {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(fixtureUrl('port-peer.mjs'), {
    workerData: { port: port2, mode },
    transferList: [port2],
  });
  const next = queueOf((l) => port1.on('message', l));
  await next(); // 'ready'
  const port: MessagePort = port1;
  return {
    post: (m) => port.postMessage(m),
    next,
    close: async () => {
      port.postMessage(null);
      port.close();
      await once(worker, 'exit');
    },
  };
}

/** A forked child speaking `process.send`, ready to use. */
export async function startSendPeer(): Promise<Endpoint> {
  const child: ChildProcess = fork(fixturePath('send-peer.mjs'), [], { stdio: 'inherit' });
  const next = queueOf((l) => child.on('message', l));
  await next(); // 'ready'
  return {
    post: (m) => child.send(m as never),
    next,
    close: async () => {
      const exited = once(child, 'exit');
      child.send(null as never);
      await exited;
    },
  };
}

/** Sends `n` messages one way and waits for the peer's 'done'; returns the elapsed ms. */
export async function oneWay(peer: Endpoint, n: number, make: (i: number) => unknown): Promise<number> {
  const t0 = nowMs();
  peer.post(n);
  for (let i = 0; i < n; i++) peer.post(make(i));
  await peer.next();
  return nowMs() - t0;
}

/** `n` sequential round trips; returns the elapsed ms. */
export async function roundTrips(peer: Endpoint, n: number): Promise<number> {
  const t0 = nowMs();
  for (let i = 0; i < n; i++) {
    peer.post(smallItem(i));
    await peer.next();
  }
  return nowMs() - t0;
}

/** Bare `new Worker()` of an empty module until its 'exit'; returns ms. */
export async function bareWorker(): Promise<number> {
  const t0 = nowMs();
  const worker = new Worker(fixtureUrl('empty.mjs'));
  await once(worker, 'exit');
  return nowMs() - t0;
}

/** Bare `child_process.fork()` of an empty module until its 'exit'; returns ms. */
export async function bareFork(): Promise<number> {
  const t0 = nowMs();
  const child = fork(fixturePath('empty.mjs'), [], { stdio: 'inherit' });
  await once(child, 'exit');
  return nowMs() - t0;
}

/** A forked child reading length-prefixed frames from a Unix socket (fixtures/socket-peer.mjs). */
export interface SocketPeer {
  /** Writes a count, then `n` copies of `buf` (each copied first, as a send must); resolves to the ms until the answer. */
  sendBytes(n: number, buf: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** Starts the raw Unix-socket peer and waits for its connection. */
export async function startSocketPeer(): Promise<SocketPeer> {
  const path = join(tmpdir(), `multiproc-bench-${process.pid}-${Date.now()}.sock`);
  const server = net.createServer();
  server.listen(path);
  await once(server, 'listening');
  const child = fork(fixturePath('socket-peer.mjs'), [path], { stdio: 'inherit' });
  const [sock] = (await once(server, 'connection')) as [net.Socket];
  const frame = (payload: Uint8Array) => {
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, payload.byteLength, true);
    sock.cork();
    sock.write(head);
    const ok = sock.write(payload);
    sock.uncork();
    return ok;
  };
  return {
    async sendBytes(n, buf) {
      const t0 = nowMs();
      const answered = once(sock, 'data');
      frame(new Uint8Array(new Uint32Array([n]).buffer));
      for (let i = 0; i < n; i++) {
        if (!frame(buf.slice())) await once(sock, 'drain');
      }
      await answered;
      return nowMs() - t0;
    },
    async close() {
      const exited = once(child, 'exit');
      sock.end();
      server.close();
      await exited;
    },
  };
}
