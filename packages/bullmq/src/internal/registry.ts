/**
 * Who is alive, kept in Redis sorted sets scored by expiry time (Redis's own clock, `TIME`, so
 * machines with skewed clocks agree):
 *
 * ```
 * <prefix>:pools                pool member  -> expiry   a pool heartbeats every clientTtl/3
 * <prefix>:workers              worker info  -> expiry   a worker heartbeats every workerTtl/3
 *                                                        (the zset expires with its last live worker)
 * <prefix>:<queue>:attached     worker info  -> expiry   workers serving that pool's queue
 * <prefix>:control              pub/sub channel: open, close, cancel (signed)
 * <prefix>:ping                 pub/sub channel: a worker id; that worker heartbeats at once
 * <prefix>:<queue>:*            the pool's BullMQ queue; deleted with the pool
 * ```
 *
 * A worker attaches to a pool only through {@link Registry.attach}, which checks in the same
 * script that the pool is still registered: so once a pool has unregistered, no new worker can
 * attach, and the pool deletes its keys after the attached set has emptied (or expired).
 */
import type { Redis } from 'ioredis';

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const SCRIPTS = {
  // KEYS: zset; ARGV: member, ttlMs, '1' to keep the whole zset at least ttlMs (so the entries of
  // killed members go with it when no live one refreshes it). Adds or refreshes a member.
  mpTouch: [
    1,
    `${NOW}\nredis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if ARGV[3] == '1' and redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return now`,
  ],
  // KEYS: zset; ARGV: '1' to drop expired members. Returns the live ones.
  mpLive: [
    1,
    `${NOW}\nif ARGV[1] == '1' then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`,
  ],
  // KEYS: zset. The expired members (left in place).
  mpExpired: [1, `${NOW}\nreturn redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)`],
  // KEYS: pools, attached; ARGV: pool member, worker member, ttlMs. 1 when attached.
  mpAttach: [
    2,
    `${NOW}\nlocal s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) > now then redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2]) return 1 end
return 0`,
  ],
  // KEYS: pools; ARGV: pool member. Removes it only if expired: 1 for the one caller that did.
  mpClaim: [
    1,
    `${NOW}\nlocal s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= now then redis.call('ZREM', KEYS[1], ARGV[1]) return 1 end
return 0`,
  ],
  // KEYS: pools, attached; ARGV: pool member, ttlMs. A pool's heartbeat: false when it was
  // removed (expired and reaped), else the live attached workers.
  mpPoolTick: [
    2,
    `${NOW}\nif not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return false end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')`,
  ],
  // KEYS: workers; ARGV: member, ttlMs, tasks (the worker's task ids, '\n'-joined). Adds the member
  // as mpTouch(expireKey) does, unless a live worker of the prefix lists other tasks: then returns
  // that worker's member and how long (ms) its entry lives without a heartbeat.
  mpJoin: [
    1,
    `${NOW}\nfor _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  local ok, w = pcall(cjson.decode, m)
  if ok and type(w) == 'table' and type(w.tasks) == 'table' and table.concat(w.tasks, '\\n') ~= ARGV[3] then
    return {m, tonumber(redis.call('ZSCORE', KEYS[1], m)) - now}
  end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return false`,
  ],
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** The key names under one prefix. */
export class Keys {
  readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }
  get pools(): string {
    return `${this.prefix}:pools`;
  }
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  get control(): string {
    return `${this.prefix}:control`;
  }
  /**
   * Pub/sub channel: a worker id, sent to ask that worker to heartbeat at once (a worker joining
   * the prefix tells a live worker from a frozen one so). Unsigned: all it can make is a heartbeat.
   */
  get ping(): string {
    return `${this.prefix}:ping`;
  }
  /** The last refusal of a worker to join the prefix (signed JSON, expires): pools waiting read it. */
  get refused(): string {
    return `${this.prefix}:refused`;
  }
  attached(queue: string): string {
    return `${this.prefix}:${queue}:attached`;
  }
  /** The ids of the pool's jobs its calls gave up on (timed out, aborted, ended early). */
  cancelled(queue: string): string {
    return `${this.prefix}:${queue}:cancelled`;
  }
  /** A SCAN pattern matching every key of the queue (glob characters escaped). */
  pattern(queue: string): string {
    return `${`${this.prefix}:${queue}:`.replace(/[*?[\]\\]/g, '\\$&')}*`;
  }
}

/** Typed calls of the registry scripts on one client. */
export class Registry {
  readonly #redis: Redis;
  readonly keys: Keys;

  constructor(redis: Redis, keys: Keys) {
    this.#redis = redis;
    this.keys = keys;
    for (const [name, [numberOfKeys, lua]] of Object.entries(SCRIPTS)) {
      if (!(redis as any)[name]) {
        redis.defineCommand(name, { numberOfKeys: numberOfKeys < 0 ? undefined : numberOfKeys, lua });
      }
    }
  }

  #call<T>(name: ScriptName, ...args: (string | number)[]): Promise<T> {
    return (this.#redis as any)[name](...args);
  }

  /** Adds or refreshes `member` for `ttlMs`; `expireKey` also keeps the zset itself only that long. */
  touch(key: string, member: string, ttlMs: number, expireKey = false): Promise<number> {
    return this.#call('mpTouch', key, member, ttlMs, expireKey ? '1' : '0');
  }
  /**
   * Registers a worker `member` in the workers zset, unless a live worker lists other `tasks`:
   * then `[its member, ms its entry lives on]`.
   */
  async join(member: string, tasks: readonly string[], ttlMs: number): Promise<[string, number] | null> {
    return this.#call('mpJoin', this.keys.workers, member, ttlMs, tasks.join('\n'));
  }
  /** When `member` of `key` expires (ms, Redis's clock), or `null` when it is not there. */
  async expiry(key: string, member: string): Promise<number | null> {
    const score = await this.#redis.zscore(key, member);
    return score === null ? null : Number(score);
  }
  /**
   * The ids of the workers connected to Redis now (our worker names each of its connections
   * `multiproc-worker[-<kind>]:<id>`), or `undefined` when Redis does not say (an ACL without
   * CLIENT). A killed worker's connections close with its process, so it is missing at once; a
   * frozen one's stay open.
   */
  async connectedWorkers(): Promise<Set<string> | undefined> {
    let list: string;
    try {
      list = String(await this.#redis.client('LIST'));
    } catch {
      return undefined;
    }
    const ids = new Set<string>();
    for (const line of list.split('\n')) {
      const id = / name=multiproc-worker[^ :]*:(\S+)/.exec(line)?.[1];
      if (id !== undefined) ids.add(id);
    }
    return ids;
  }
  /** Whether worker `id` is connected to Redis now, or `undefined` when Redis does not say. */
  async connected(id: string): Promise<boolean | undefined> {
    return (await this.connectedWorkers())?.has(id);
  }
  /** Asks worker `id` to heartbeat now (see {@link Keys.ping}): only a live one can. */
  ping(id: string): Promise<number> {
    return this.#redis.publish(this.keys.ping, id);
  }
  /** The refusal text under {@link Keys.refused}, or `null`. */
  refusal(): Promise<string | null> {
    return this.#redis.get(this.keys.refused);
  }
  /** Stores a refusal text for `ttlMs`; `null` deletes the one stored. */
  async noteRefusal(text: string | null, ttlMs = 0): Promise<void> {
    if (text === null) await this.#redis.del(this.keys.refused);
    else await this.#redis.set(this.keys.refused, text, 'PX', ttlMs);
  }
  /** Whether `pool` is registered (expired or not). */
  async registered(pool: string): Promise<boolean> {
    return (await this.#redis.zscore(this.keys.pools, pool)) !== null;
  }
  /** The live members; `prune` also drops the expired ones (never for pools: they are claimed and swept). */
  live(key: string, prune = false): Promise<string[]> {
    return this.#call('mpLive', key, prune ? '1' : '0');
  }
  expired(key: string): Promise<string[]> {
    return this.#call('mpExpired', key);
  }
  async attach(pool: string, queue: string, worker: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.#call<number>(
        'mpAttach',
        this.keys.pools,
        this.keys.attached(queue),
        pool,
        worker,
        ttlMs,
      )) === 1
    );
  }
  async claim(pool: string): Promise<boolean> {
    return (await this.#call<number>('mpClaim', this.keys.pools, pool)) === 1;
  }
  poolTick(pool: string, queue: string, ttlMs: number): Promise<string[] | null> {
    return this.#call('mpPoolTick', this.keys.pools, this.keys.attached(queue), pool, ttlMs);
  }
}
