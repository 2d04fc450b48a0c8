/**
 * The Redis connection option: a `redis://` / `rediss://` URL, or ioredis options (host, port,
 * username, password, `tls`, db, ...) given as they are to BullMQ and to our own client. Nothing
 * here keeps credentials: {@link ResolvedConnection.label} is safe to print.
 */
import { debuglog } from 'node:util';
import { ValidationError } from '@multiproc/core';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisConnectionError } from '../errors.js';
import { parseRedisUrl } from './redis-url.js';

/**
 * Where Redis is: a URL (`redis://user:pass@host:6379/0`, `rediss://` for TLS), a Unix socket's path
 * (`/run/redis.sock`, or `unix:///run/redis.sock`), or ioredis options.
 */
export type RedisConnectionOptions =
  | string
  | (RedisOptions & {
      /** A `redis://` or `rediss://` URL, or a Unix socket's path; the other options override what it says. */
      url?: string | undefined;
    });

/** The connection as BullMQ takes it, and a printable label without credentials. */
export interface ResolvedConnection {
  readonly options: RedisOptions & { url?: string };
  readonly label: string;
}

export const debug = debuglog('multiproc');

/** The URL used when neither an option nor `REDIS_URL` gives one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Checks the connection option (or `REDIS_URL`) and makes it BullMQ's. */
export function resolveConnection(
  given: RedisConnectionOptions | undefined,
  who: string,
): ResolvedConnection {
  const value = given ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (typeof value === 'string') {
    const from = given === undefined && process.env.REDIS_URL !== undefined ? `${who} (REDIS_URL)` : who;
    const { url, label } = parseRedisUrl(value, from);
    return { options: { url }, label };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(
      `${who}: option 'connection' must be a redis:// URL or ioredis options, got ${typeof value}.`,
    );
  }
  if (typeof (value as { duplicate?: unknown }).duplicate === 'function') {
    throw new ValidationError(
      `${who}: option 'connection' takes a URL or ioredis options, not a client: the pool and BullMQ open their own connections.`,
    );
  }
  if (value.keyPrefix) {
    throw new ValidationError(
      `${who}: ioredis 'keyPrefix' is not supported; use the 'prefix' option instead.`,
    );
  }
  if (value.url !== undefined) {
    const { url, label } = parseRedisUrl(value.url, who);
    return { options: { ...value, url }, label };
  }
  const label = value.path
    ? `unix://${value.path}`
    : `${value.tls ? 'rediss' : 'redis'}://${value.host ?? '127.0.0.1'}:${value.port ?? 6379}`;
  return { options: { ...value }, label };
}

/** A client of our own (registry scripts, publishing, cleanup), with errors kept quiet but logged. */
export function createClient(conn: ResolvedConnection, name: string, extra: RedisOptions = {}): Redis {
  const { url, ...rest } = conn.options;
  const options: RedisOptions = { ...rest, ...extra, connectionName: name };
  const client = url ? new Redis(url, options) : new Redis(options);
  client.on('error', (error) => debug('bullmq: redis %s: %s', conn.label, error.message));
  releaseClosedSockets(client);
  return client;
}

/** The part of ioredis's connector that {@link releaseClosedSockets} and {@link cutClient} touch. */
type Connector = { stream?: { destroyed?: boolean; destroy(): void } };

/**
 * Makes the driver let go of each socket of `client` once it has closed (Redis refused or dropped
 * the connection; the client waits to reconnect, and opens a new socket then). ioredis's
 * `disconnect()` ends its socket and arms a ref'd timer (`disconnectTimeout`, 2 s) that only that
 * socket's `close` event clears; a socket that closed already never closes again, so every
 * `disconnect()` (and `quit()`, as BullMQ's `close()` calls it) while Redis is down would hold the
 * program 2 s after the pool gave up on Redis or terminated.
 */
export function releaseClosedSockets(client: Redis): void {
  client.on('close', () => {
    const connector = (client as unknown as { connector?: Connector }).connector;
    if (connector?.stream?.destroyed) connector.stream = undefined;
  });
}

/**
 * `error` as this package reports it: a Redis ACL refusal (`NOPERM`: the user may not touch the
 * keys or channels under `prefix`) becomes a {@link RedisConnectionError} saying what to grant,
 * with the driver's error as `cause`; any other error is returned as it is.
 */
export function permissionError(error: unknown, label: string, prefix: string, who: string): unknown {
  const said = (error as Error | undefined)?.message;
  if (typeof said !== 'string' || !/^NOPERM\b/.test(said)) return error;
  return new RedisConnectionError(
    `Redis at ${label} does not let this user use the keys of prefix '${prefix}' (${said.replace(/\.+$/, '')}). ` +
      `Grant them with ACL SETUSER <user> ~${prefix}:* &${prefix}:* (keys and channels), or pass a prefix ` +
      `inside the user's key pattern (${who}).`,
    { cause: error },
  );
}

/**
 * A Redis refusal to store `what` for lack of memory (an `OOM` reply: used memory over
 * `maxmemory`, nothing more to evict) as a {@link RedisConnectionError} saying what to do, with the
 * driver's error as `cause`; `undefined` for any other error.
 */
export function redisRefusal(error: unknown, what: string, label?: string): RedisConnectionError | undefined {
  const said = (error as Error | undefined)?.message;
  if (typeof said !== 'string' || !/^OOM\b/.test(said)) return undefined;
  return new RedisConnectionError(
    `Redis${label ? ` at ${label}` : ''} is out of memory and refused to store ${what} ` +
      `(${said.replace(/\.+$/, '')}). Raise its maxmemory (CONFIG SET maxmemory, or redis.conf), or ` +
      'keep less in Redis at once: a smaller inflight or chunksize, smaller arguments and results. A ' +
      'pool keeps there only its jobs in flight and the results it has not read yet; an evicting ' +
      "maxmemory-policy is no way out (it would evict the pools' own keys).",
    { cause: error },
  );
}

/** A BullMQ object (`Queue`, `QueueEvents`, `Worker`) as far as cutting its connections goes. */
interface BullConnections {
  getBackend(): { readonly client: Promise<unknown>; readonly blockingClient?: Promise<unknown> | undefined };
}

/**
 * Disconnects the Redis clients of BullMQ objects at once, without waiting for Redis (which may be
 * gone): what their `close()` would wait for never comes then.
 */
export function cutConnections(owners: readonly (BullConnections | undefined)[]): void {
  for (const owner of owners) {
    const backend = owner?.getBackend();
    for (const client of [backend?.client, backend?.blockingClient]) {
      void client?.then(
        (c) => cutClient(c as Redis),
        () => {},
      );
    }
  }
}

/**
 * Disconnects `client` and fails its pending commands. ioredis's `disconnect()` while it waits to
 * reconnect (Redis is down) neither ends the client nor rejects the commands it queued, so their
 * callers wait forever: BullMQ's blocking event read is raced against a ref'd watchdog timer of
 * its blocking timeout + 1 s, which then keeps the program alive that long.
 *
 * Nor does it let go of a live socket at once: it ends it and waits for its `close` up to
 * `disconnectTimeout` (2 s) on a ref'd timer, so the socket is destroyed right after, and that
 * `close` comes now. A closed one is taken from the driver first (see {@link releaseClosedSockets}).
 */
export function cutClient(client: Redis): void {
  const connector = (client as unknown as { connector?: Connector }).connector;
  const stream = connector?.stream;
  if (connector && stream?.destroyed) connector.stream = undefined;
  client.disconnect();
  if (stream && !stream.destroyed) stream.destroy();
  if (client.status === 'end') return;
  const queued = client as unknown as { flushQueue?: (error: Error) => void };
  queued.flushQueue?.(new Error('Connection is closed.'));
}

/**
 * Whether `client` is connected and Redis answers a PING within `ms`: a frozen server (SIGSTOP) or
 * a partition that resets nothing keeps the socket open, so `status` alone still says `ready`.
 */
export async function answers(client: Redis | undefined, ms: number): Promise<boolean> {
  if (client?.status !== 'ready') return false;
  return fulfilsWithin(client.ping(), ms);
}

/**
 * Whether `work` fulfils within `ms` (false once it rejects, or is still pending then); the timer is
 * cleared either way.
 */
export async function fulfilsWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const fulfilled = await Promise.race([
    work.then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(resolve, ms, false);
    }),
  ]);
  clearTimeout(timer);
  return fulfilled;
}

/** What {@link unlessDropped} gives when the connection closed first. */
export const DROPPED: unique symbol = Symbol('dropped');

/**
 * `work`'s result, or {@link DROPPED} as soon as `client`'s connection closes first (a blip: what
 * it queued would reach Redis once back). The listener is removed once either settles.
 */
export async function unlessDropped<T>(client: Redis | undefined, work: Promise<T>) {
  if (!client) return work;
  let onClose = () => {};
  const dropped = new Promise<typeof DROPPED>((resolve) => {
    onClose = () => resolve(DROPPED);
    client.once('close', onClose);
  });
  try {
    return await Promise.race([work, dropped]);
  } finally {
    client.off('close', onClose);
  }
}

/**
 * Whether `work` (closing `client` politely) fulfils within `ms` with `client` up all along: false
 * at once when it is down or drops meanwhile ({@link unlessDropped}).
 */
export async function closesWithin(client: Redis | undefined, work: Promise<unknown>, ms: number) {
  if (client && client.status !== 'ready') return false;
  const upAllAlong = unlessDropped(client, work).then((r) => {
    if (r === DROPPED) throw new Error('Connection is closed.');
  });
  return fulfilsWithin(upAllAlong, ms);
}

/**
 * Cuts `client` (see {@link cutClient}: its commands still waiting then fail) once a PING has gone
 * unanswered for `ms`: a frozen server, or a network partition that resets nothing, answers no
 * command and closes no socket, so a cleanup awaiting one would hang. Returns the stop.
 */
export function cutIfUnanswered(client: Redis, ms: number): () => void {
  let sent: number | undefined;
  const timer = setInterval(
    () => {
      if (sent !== undefined) {
        if (performance.now() - sent < ms) return;
        clearInterval(timer);
        cutClient(client);
        return;
      }
      sent = performance.now();
      const answered = () => {
        sent = undefined;
      };
      client.ping().then(answered, answered);
    },
    Math.max(10, Math.min(ms / 4, 250)),
  );
  return () => clearInterval(timer);
}

/** What Redis answers to wrong or missing credentials. */
const AUTH_REFUSED = /^(WRONGPASS|NOAUTH)\b|invalid password|invalid username-password/i;

/** How often a connect deadline looks at the clock (see {@link loopDeadline}). */
const DEADLINE_STEP_MS = 100;

/**
 * Calls `onTimeout` once the event loop could have waited `ms` for the connection. Time it was
 * blocked (synchronous work right after `new Pool()`) counts as two steps at most: the socket got
 * no turn then, and after a long block the expired timer runs before the socket's events, so a
 * wall-clock timer would give up on a connection that never had a chance.
 */
function loopDeadline(ms: number, onTimeout: () => void, hold?: TimerHold): () => void {
  const step = Math.min(ms, DEADLINE_STEP_MS);
  let waited = 0;
  let last = performance.now();
  const arm = (delay: number) => {
    const next = setTimeout(tick, delay);
    return hold ? hold.timer(next) : next;
  };
  const tick = () => {
    hold?.forget(timer);
    const now = performance.now();
    waited += Math.min(now - last, 2 * step);
    last = now;
    if (waited >= ms) onTimeout();
    else timer = arm(Math.min(step, ms - waited));
  };
  let timer = arm(step);
  return () => {
    clearTimeout(timer);
    hold?.forget(timer);
  };
}

/**
 * Who decides whether a timer keeps the program alive (a pool's liveness: only while it has work),
 * following it until `forget`.
 */
export interface TimerHold {
  timer<T extends NodeJS.Timeout>(timer: T): T;
  forget(timer: NodeJS.Timeout): void;
}

/**
 * Resolves once `client` is ready; rejects with {@link RedisConnectionError} (the driver's last
 * error as `cause`) when it is not within `timeoutMs` of time the event loop could wait (see
 * {@link loopDeadline}), or at once when Redis refuses the credentials; `then` ends its message
 * (what happens next). With `hold`, the deadline keeps the program alive only as `hold` says (an
 * idle pool that cannot connect does not hold the program open for `timeoutMs`); `stop` gives up
 * the wait at once, rejecting with its reason (a pool torn down before it connected).
 */
export function waitReady(
  client: Redis,
  timeoutMs: number,
  label: string,
  then = '',
  hold?: TimerHold,
  stop?: AbortSignal,
): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (stop?.aborted) return Promise.reject(stop.reason);
  return new Promise((resolve, reject) => {
    let last: Error | undefined;
    const fail = (message: string) => {
      done();
      reject(new RedisConnectionError(message, last ? { cause: last } : undefined));
    };
    const onError = (error: Error) => {
      last = error;
      // Refused credentials are final (Redis answers so at once, and again at each retry): no wait.
      const said = error.message.replace(/\.+$/, '');
      if (AUTH_REFUSED.test(said)) {
        fail(
          `Redis at ${label} refused the credentials: ${said}. Give the right user and password ` +
            `(redis://user:password@host:port, or the username and password options).${then}`,
        );
      }
    };
    const done = () => {
      clearDeadline();
      client.off('ready', onReady).off('error', onError);
      stop?.removeEventListener('abort', onStop);
    };
    const onStop = () => {
      done();
      reject(stop?.reason);
    };
    const onReady = () => {
      done();
      resolve();
    };
    const clearDeadline = loopDeadline(
      timeoutMs,
      () => {
        const said = last?.message.replace(/\.+$/, '');
        fail(
          `Cannot reach Redis at ${label} within ${timeoutMs} ms${said ? `: ${said}` : ''}. Start ` +
            `redis-server there, or pass the right connection (URL, credentials, tls).${then}`,
        );
      },
      hold,
    );
    client.on('ready', onReady).on('error', onError);
    stop?.addEventListener('abort', onStop, { once: true });
  });
}
