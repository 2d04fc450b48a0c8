/**
 * How long a Listener/Client or manager handshake (handshake.ts) may stall. Python's has no limit:
 * a client that connects and never answers the challenge blocks its `accept()` for ever. Here the
 * socket is dropped once the peer sent nothing for {@link HANDSHAKE_TIMEOUT_MS}, and the call that
 * ran the handshake (`accept()`, `Client()`, a manager's connect) rejects with a `TimeoutError`
 * saying so, not with the `EOFError` the dropped socket's end gives the handshake itself.
 */
import type net from 'node:net';
import { TimeoutError } from '@multiproc/shared';

/** How long (ms) the handshake may go without a byte from the peer before it is dropped. */
export const HANDSHAKE_TIMEOUT_MS = 20_000;

/** Who is at the other end, named in the error: the one that stalled. */
export type HandshakePeer = 'client' | 'listener' | 'manager' | 'proxy';

// The error of each socket dropped for a stall, taken by timedOut().
const stalls = new WeakMap<net.Socket, TimeoutError>();

/** The limit in ms: {@link HANDSHAKE_TIMEOUT_MS}, or a number the tests set on globalThis. */
function limitMs(): number {
  const over = (globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.handshakeTimeoutMs')];
  return typeof over === 'number' ? over : HANDSHAKE_TIMEOUT_MS;
}

/**
 * Drops `socket` once the handshake went the limit without a byte from `peer` (the socket's idle
 * timer: every byte restarts it); the caller clears it with `socket.setTimeout(0)` once done.
 */
export function limitHandshake(socket: net.Socket, peer: HandshakePeer): void {
  const ms = limitMs();
  socket.setTimeout(ms, () => {
    const what = peer === 'client' || peer === 'proxy' ? 'answer the authentication challenge' : 'go on';
    const fix =
      peer === 'client'
        ? 'The listener goes on listening: call accept() again for the next client (check that the client calls Client() with the same authkey).'
        : 'Retry once the other side answers.';
    stalls.set(
      socket,
      new TimeoutError(
        `The handshake timed out: the ${peer} at the other end sent nothing for ${ms} ms (it connected but did not ${what}), so the connection was dropped. ${fix}`,
      ),
    );
    socket.destroy();
  });
}

/** The TimeoutError of a socket {@link limitHandshake} dropped; undefined for any other end. */
export function timedOut(socket: net.Socket): TimeoutError | undefined {
  return stalls.get(socket);
}
