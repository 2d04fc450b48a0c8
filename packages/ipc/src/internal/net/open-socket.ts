/**
 * Opening a client's socket to a listener (`Client()` and manager proxies): Node's `connect()`,
 * made to wait, as Python's blocking `connect()` does, while a Unix socket's backlog is full.
 */
import type net from 'node:net';
import { onreadInto } from './feed.js';
import type { Feed } from './handshake.js';

/** Bytes of the buffer a socket with a `feed` reads into. */
export const READ_BUFFER_BYTES = 64 * 1024;
/** The first pause before connecting again to a full backlog, doubled up to the longest (ms). */
const FIRST_RETRY_MS = 1;
const LONGEST_RETRY_MS = 50;

/**
 * The sockets waiting for room in a Unix socket's backlog, by path, in the order they found it full:
 * only the first connects again; each one that is done (connected, or failed otherwise) lets the
 * next try at once. Each retrying by itself cost a connect() per waiter every 50 ms: 100 clients
 * waiting on a listener that did not accept took a quarter of a core.
 */
const waiting = new Map<string, (() => void)[]>();

/** `attempt` found `path` full: it waits behind those already waiting, or retries after `pauseMs`. */
function waitForRoom(path: string, attempt: () => void, pauseMs: number): void {
  let line = waiting.get(path);
  if (line === undefined) waiting.set(path, (line = []));
  if (!line.includes(attempt)) line.push(attempt);
  if (line[0] === attempt) setTimeout(attempt, pauseMs);
}

/** `attempt` is done with `path` (connected, or failed otherwise): the next waiter tries now. */
function leaveLine(path: string, attempt: () => void): void {
  const line = waiting.get(path);
  const at = line?.indexOf(attempt) ?? -1;
  if (line === undefined || at < 0) return;
  line.splice(at, 1);
  if (line.length === 0) waiting.delete(path);
  else if (at === 0) setImmediate(line[0]!);
}

/**
 * Connects to a listener's `target` (see `netAddress`); rejects with Node's error. With a `feed`,
 * the socket reads into one reused buffer and hands each chunk to `feed.sink` (Node's `onread`:
 * no stream layer, no allocation per read).
 *
 * A Unix socket whose listener has a full backlog (many clients at once, a small `backlog`, a
 * listener whose thread is busy) refuses Node's non-blocking connect with EAGAIN, where Python's
 * blocking one waits for room (the kernel queues the caller). So it connects again, 1 ms later and
 * then up to every 50 ms, for as long as the listener is there and busy (waiters of one path in
 * line, only the first retrying): once it is gone the connect fails with ENOENT or ECONNREFUSED,
 * which rejects. TCP needs none of this: the kernel itself sends again a connection request that a
 * full queue dropped.
 */
export function openSocket(
  target: { path: string } | { host: string; port: number },
  feed?: Feed,
): Promise<net.Socket> {
  const onread = feed && onreadInto(Buffer.allocUnsafe(READ_BUFFER_BYTES), feed);
  const options = onread ? { ...target, onread } : target;
  const path = 'path' in target ? target.path : null;
  let pauseMs = FIRST_RETRY_MS;
  return new Promise<net.Socket>((resolve, reject) => {
    const attempt = (): void => {
      const s = process.getBuiltinModule('node:net').connect(options);
      const failed = (err: NodeJS.ErrnoException): void => {
        if (err.code !== 'EAGAIN' || path === null) {
          if (path !== null) leaveLine(path, attempt);
          reject(err);
          return;
        }
        s.destroy();
        waitForRoom(path, attempt, pauseMs);
        pauseMs = Math.min(pauseMs * 2, LONGEST_RETRY_MS);
      };
      s.once('error', failed);
      s.once('connect', () => {
        s.off('error', failed);
        if (path !== null) leaveLine(path, attempt);
        // Request/answer traffic: Nagle's algorithm would hold a small write back for an ACK.
        if (s.remotePort !== undefined) s.setNoDelay(true);
        resolve(s);
      });
    };
    attempt();
  });
}
