/**
 * The opening of a Listener/Client connection, before it carries ipc frames: Python's
 * `multiprocessing.connection` authentication, then the endpoint the client's copy claims.
 *
 * Messages are length-prefixed (4 bytes, big-endian) as in Python. With an `authkey` each side
 * proves it knows the key without sending it, both ways (Python's `deliver_challenge` /
 * `answer_challenge`):
 *
 * ```
 * listener                                   client
 *   #CHALLENGE#{sha256}<40 random bytes>  ─►
 *                                         ◄─  {sha256}HMAC-SHA256(key, challenge)
 *   #WELCOME# | #FAILURE#                 ─►
 *                                         ◄─  #CHALLENGE#{sha256}<40 random bytes>
 *   {sha256}HMAC-SHA256(key, challenge)   ─►
 *                                         ◄─  #WELCOME# | #FAILURE#
 *   {"path","id","end","token"} (JSON)    ─►  then both sides speak ipc frames
 * ```
 *
 * A challenge is fresh random bytes each time, so a recorded answer is worth nothing later; a
 * side also refuses to answer the very challenge it sent (a peer reflecting it back), a challenge
 * without the prefix or shorter than 20 bytes, and a digest other than sha256. A peer that stalls
 * is dropped (handshake-limit.ts).
 */
import type net from 'node:net';
import { AuthenticationError, EOFError } from '../../errors.js';
import { type Feed, setSink } from './feed.js';

export type { Feed }; // the type of the `feed` the handshakes take

export const CHALLENGE: Buffer = Buffer.from('#CHALLENGE#');
export const WELCOME: Buffer = Buffer.from('#WELCOME#');
export const FAILURE: Buffer = Buffer.from('#FAILURE#');
export const DIGEST: Buffer = Buffer.from('{sha256}');
export const MESSAGE_BYTES = 40;
const MIN_CHALLENGE_BYTES = 20;
/** The longest handshake message either side accepts (Python: 256). */
export const MAX_MESSAGE_BYTES = 256;

/** Reads whole length-prefixed messages off a socket that is not yet handed to a link. */
class MessageReader {
  readonly #socket: net.Socket;
  readonly #feed: Feed | null;
  #buf: Buffer = Buffer.alloc(0);
  #want: ((m: Buffer) => void) | null = null;
  #fail: ((e: Error) => void) | null = null;
  #error: Error | null = null;
  readonly #onData = (chunk: Buffer) => {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    this.#deliver();
  };
  // Not an authentication failure: the connection itself ended (Python: EOFError / ConnectionError).
  readonly #onEnd = () =>
    this.#stop(
      new EOFError(
        this.#peer === 'listener'
          ? 'The listener closed the connection before the handshake finished: it was closed, or its ' +
              'program ended, before it accepted this client. Start the Listener again and retry Client().'
          : 'The peer closed the connection during the handshake.',
      ),
    );
  readonly #onError = (err: Error) =>
    this.#stop(new EOFError(`The connection failed during the handshake: ${err.message}`, { cause: err }));

  readonly #peer: 'listener' | 'peer';

  constructor(socket: net.Socket, feed: Feed | null = null, peer: 'listener' | 'peer' = 'peer') {
    this.#socket = socket;
    this.#peer = peer;
    this.#feed = feed;
    if (feed)
      setSink(feed, (chunk) => this.#onData(Buffer.from(chunk))); // kept chunks first
    else socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onError);
    socket.resume(); // a listener's sockets arrive paused (pauseOnConnect)
  }

  next(): Promise<Buffer> {
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#want = resolve;
      this.#fail = reject;
      this.#deliver();
    });
  }

  /**
   * Stops reading; whatever arrived after the last message goes back to the socket, unless the
   * peer has ended it: Node refuses `unshift()` after 'end' with an 'error' event, which, nobody
   * listening any more, ended the program (a peer that died after part of a handshake message).
   * Those bytes are the half message of a handshake that failed, as 'end' came before its end.
   */
  detach(): void {
    const s = this.#socket;
    if (this.#feed) {
      this.#feed.sink = null;
      this.#feed.rest = this.#buf.length > 0 ? this.#buf : null;
      this.#buf = Buffer.alloc(0);
    }
    s.off('data', this.#onData);
    s.off('end', this.#onEnd);
    s.off('close', this.#onEnd);
    s.off('error', this.#onError);
    s.pause();
    if (this.#buf.length > 0 && !s.readableEnded && !s.destroyed) s.unshift(this.#buf);
    this.#buf = Buffer.alloc(0);
  }

  #deliver(): void {
    if (!this.#want || this.#buf.length < 4) return;
    const n = this.#buf.readUInt32BE(0);
    if (n > MAX_MESSAGE_BYTES) {
      this.#stop(
        new AuthenticationError(`Handshake message of ${n} bytes refused (at most ${MAX_MESSAGE_BYTES}).`),
      );
      return;
    }
    if (this.#buf.length < 4 + n) return;
    const m = this.#buf.subarray(4, 4 + n);
    this.#buf = this.#buf.subarray(4 + n);
    const want = this.#want;
    this.#want = this.#fail = null;
    want(Buffer.from(m));
  }

  #stop(err: Error): void {
    this.#error ??= err;
    const fail = this.#fail;
    this.#want = this.#fail = null;
    fail?.(this.#error);
  }
}

function writeMessage(socket: net.Socket, m: Buffer): void {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(m.length, 0);
  socket.write(Buffer.concat([head, m]));
}

/** The answer to `challenge` that proves knowledge of `key`. */
export function respond(key: Buffer, challenge: Buffer): Buffer {
  return Buffer.concat([
    DIGEST,
    process.getBuiltinModule('node:crypto').createHmac('sha256', key).update(challenge).digest(),
  ]);
}

/** Sends a challenge and checks the answer (Python: `deliver_challenge`). */
async function deliver(socket: net.Socket, reader: MessageReader, key: Buffer): Promise<Buffer> {
  const message = Buffer.concat([DIGEST, process.getBuiltinModule('node:crypto').randomBytes(MESSAGE_BYTES)]);
  writeMessage(socket, Buffer.concat([CHALLENGE, message]));
  const answer = await reader.next();
  const expected = respond(key, message);
  if (
    answer.length !== expected.length ||
    !process.getBuiltinModule('node:crypto').timingSafeEqual(answer, expected)
  ) {
    writeMessage(socket, FAILURE);
    throw new AuthenticationError(
      'The peer answered the authkey challenge wrongly: its authkey differs from this one, or it has none.',
    );
  }
  writeMessage(socket, WELCOME);
  return message;
}

/** Answers a challenge (Python: `answer_challenge`); refuses `sent`, the one this side issued. */
async function answer(
  socket: net.Socket,
  reader: MessageReader,
  key: Buffer,
  sent: Buffer | null,
): Promise<void> {
  const m = await reader.next();
  if (!m.subarray(0, CHALLENGE.length).equals(CHALLENGE)) {
    throw new AuthenticationError(
      'The peer sent no authkey challenge: it does not use an authkey, or speaks another protocol.',
    );
  }
  const challenge = m.subarray(CHALLENGE.length);
  if (challenge.length < MIN_CHALLENGE_BYTES || !challenge.subarray(0, DIGEST.length).equals(DIGEST)) {
    throw new AuthenticationError('The peer sent a malformed authkey challenge (too short, or not sha256).');
  }
  if (sent?.equals(challenge)) {
    throw new AuthenticationError('The peer sent back the challenge it was given (a replay): refused.');
  }
  writeMessage(socket, respond(key, challenge));
  const verdict = await reader.next();
  if (!verdict.equals(WELCOME)) {
    throw new AuthenticationError("The peer rejected this side's answer: the authkeys differ.");
  }
}

/** What the listener tells the client's copy to claim. */
export interface Endpoint {
  /** The home's broker socket (listener's machine): a worker's copy of the client's end dials it. */
  readonly path?: string;
  readonly id: number;
  readonly end: number;
  readonly token: string;
}

/**
 * Listener side: authenticates the peer, then sends `hello()` (an {@link Endpoint}, or the
 * manager's {@link MANAGER_HELLO}) as JSON. Rejects with AuthenticationError.
 */
export async function serverHandshake(
  socket: net.Socket,
  key: Buffer | null,
  hello: () => object,
  feed: Feed | null = null,
): Promise<void> {
  const reader = new MessageReader(socket, feed);
  try {
    if (key) {
      const sent = await deliver(socket, reader, key);
      await answer(socket, reader, key, sent);
    }
    writeMessage(socket, Buffer.from(JSON.stringify(hello())));
  } finally {
    reader.detach();
  }
}

/**
 * Client side: authenticates the listener, then resolves to its hello as `parse` reads it
 * (by default the endpoint a Connection claims).
 */
export async function clientHandshake<T = Endpoint>(
  socket: net.Socket,
  key: Buffer | null,
  parse: (hello: unknown) => T | undefined = parseEndpoint as (hello: unknown) => T | undefined,
  feed: Feed | null = null,
  peer: 'listener' | 'peer' = 'peer',
): Promise<T> {
  const reader = new MessageReader(socket, feed, peer);
  try {
    if (key) {
      await answer(socket, reader, key, null);
      await deliver(socket, reader, key);
    }
    const m = await reader.next();
    if (m.subarray(0, CHALLENGE.length).equals(CHALLENGE)) {
      writeMessage(socket, Buffer.alloc(0)); // no answer: the listener's accept() fails with AuthenticationError
      throw new AuthenticationError(
        'The listener requires an authkey: pass the same { authkey } to Client().',
      );
    }
    let hello: T | undefined;
    try {
      hello = parse(JSON.parse(m.toString('utf8')));
    } catch {}
    if (hello === undefined) {
      throw new AuthenticationError(
        "The listener answered in another protocol: a Client() reached a manager's address, or a manager proxy a plain Listener.",
      );
    }
    return hello;
  } finally {
    reader.detach();
  }
}

/** What a manager's server says last: from then on the socket carries manager frames (rpc.ts). */
export const MANAGER_HELLO = { rpc: 'multiproc.manager/1' } as const;

/**
 * A manager's hello: the protocol, and which server instance answers (a manager started again at
 * the same address is another instance: a proxy of the old one must not reach the new one's objects).
 */
export interface ManagerHello {
  readonly rpc: typeof MANAGER_HELLO.rpc;
  readonly server?: string | undefined;
}

/** A manager's hello, or undefined for anything else (a plain Listener's endpoint). */
export function parseManagerHello(m: unknown): ManagerHello | undefined {
  const hello = m as { rpc?: unknown; server?: unknown } | null;
  if (hello?.rpc !== MANAGER_HELLO.rpc) return undefined;
  return typeof hello.server === 'string' ? { rpc: MANAGER_HELLO.rpc, server: hello.server } : MANAGER_HELLO;
}

function parseEndpoint(m: unknown): Endpoint | undefined {
  const e = m as Endpoint | null;
  const pathOk = e?.path === undefined || typeof e.path === 'string';
  return e && Number.isInteger(e.id) && Number.isInteger(e.end) && typeof e.token === 'string' && pathOk
    ? e
    : undefined;
}

/** An `authkey` option as bytes; null for none. */
export function keyBytes(authkey: string | Uint8Array | undefined | null): Buffer | null {
  if (authkey === undefined || authkey === null) return null;
  return typeof authkey === 'string' ? Buffer.from(authkey, 'utf8') : Buffer.from(authkey);
}
