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

  /** Stores the bytes of job `jobId`'s result, kept at most {@link HELD_RESULT_TTL_MS}. */
  hold(queue: string, jobId: string, bytes: Buffer): Promise<unknown> {
    this.#client ??= this.#open();
    return this.#client.set(resultKey(this.#prefix, queue, jobId), bytes, 'PX', HELD_RESULT_TTL_MS);
  }

  /** Deletes job `jobId`'s held result (its pool is gone). */
  drop(queue: string, jobId: string): Promise<unknown> {
    this.#client ??= this.#open();
    return this.#client.del(resultKey(this.#prefix, queue, jobId));
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
