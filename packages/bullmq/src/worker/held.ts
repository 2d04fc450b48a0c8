/**
 * Where a worker stores the results too large for a job's return value (`resultKey`), and reads
 * the payloads too large for a job's data (`argsKey`): on one connection of its own, opened at the
 * first such result or payload, so that BullMQ's lock renewals and the worker's heartbeats never
 * wait behind megabytes on theirs.
 */
import type { Redis } from 'ioredis';
import { cutClient } from '../internal/connection.js';
import { argsKey, HELD_RESULT_TTL_MS, resultKey } from '../internal/protocol.js';

export class HeldResults {
  readonly #prefix: string;
  readonly #open: () => Redis;
  #client: Redis | undefined;

  /** `open`: a new client on the worker's Redis. */
  constructor(prefix: string, open: () => Redis) {
    this.#prefix = prefix;
    this.#open = open;
  }

  /**
   * Stores the bytes of job `jobId`'s result, kept at most {@link HELD_RESULT_TTL_MS}, and deletes
   * them again when its pool is gone by the time Redis took them (`poolThere` false): a write that
   * came late (the worker or Redis frozen, its connection's queue sent again) lands after the pool's
   * sweep and would stay until its expiry. A pool unregisters before it sweeps, so a write that
   * finds it still there is deleted by that sweep.
   */
  async hold(queue: string, jobId: string, bytes: Buffer, poolThere: () => Promise<boolean>): Promise<void> {
    this.#client ??= this.#open();
    const key = resultKey(this.#prefix, queue, jobId);
    await this.#client.set(key, bytes, 'PX', HELD_RESULT_TTL_MS);
    if (await poolThere().catch(() => true)) return;
    await this.#client.del(key).catch(() => {});
  }

  /** The bytes of job `jobId`'s payload (left in place: a job that runs again reads them again); null when gone. */
  payload(queue: string, jobId: string): Promise<Buffer | null> {
    this.#client ??= this.#open();
    return this.#client.getBuffer(argsKey(this.#prefix, queue, jobId));
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client?.status === 'ready') await client.quit().catch(() => {});
    if (client) cutClient(client);
  }
}
