/**
 * A thread's connection to one manager, shared by all of its proxies there: requests go out in
 * the order they are made, replies come back by sequence number. The connection reads only while
 * a request waits, so an idle proxy never keeps its program alive; a pending one does.
 */

import type { Connection } from '../../connection.js';
import { AuthenticationError, ManagerClosedError } from '../../errors.js';
import { Client } from '../../listener.js';
import type { Address } from '../net/endpoint.js';
import { type ErrorRecord, fromRecord, type Reply } from './wire.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const clients = new Map<string, ManagerClient>();

/** This thread's client of the manager at `address` (one per address and key). */
export function clientFor(address: Address, authkey: string): ManagerClient {
  const key = `${JSON.stringify(address)}|${authkey}`;
  let c = clients.get(key);
  if (!c) {
    c = new ManagerClient(address, authkey, () => clients.delete(key));
    clients.set(key, c);
  }
  return c;
}

export class ManagerClient {
  readonly #address: Address;
  readonly #authkey: string;
  readonly #forget: () => void;
  readonly #pending = new Map<number, Pending>();
  #conn: Promise<Connection> | null = null;
  #seq = 1;
  #reading = false;
  #dead: Error | null = null;

  constructor(address: Address, authkey: string, forget: () => void) {
    this.#address = address;
    this.#authkey = authkey;
    this.#forget = forget;
  }

  /** Whether this connection is over (the manager went away): a new call should look up again. */
  get dead(): boolean {
    return this.#dead !== null;
  }

  request(id: number, method: string, args: unknown[]): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = this.#seq++;
    const p = new Promise<unknown>((resolve, reject) => this.#pending.set(seq, { resolve, reject }));
    this.#conn ??= Client(this.#address, { authkey: Buffer.from(this.#authkey, 'hex') });
    this.#conn.then(
      (c) => {
        try {
          c.send([seq, id, method, args]);
        } catch (err) {
          this.#settle(seq, false, err, false);
          return;
        }
        void this.#read(c);
      },
      (err: unknown) => this.#die(err),
    );
    return p;
  }

  async #read(c: Connection): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      while (this.#pending.size > 0) {
        const [seq, ok, value] = (await c.recv()) as Reply;
        this.#settle(seq, ok, value, true);
      }
    } catch (err) {
      this.#die(err);
    } finally {
      this.#reading = false;
    }
  }

  #settle(seq: number, ok: boolean, value: unknown, record: boolean): void {
    const p = this.#pending.get(seq);
    if (!p) return;
    this.#pending.delete(seq);
    if (ok) p.resolve(value);
    else p.reject(record ? fromRecord(value as ErrorRecord) : value);
  }

  #die(cause: unknown): void {
    this.#forget();
    const err =
      cause instanceof AuthenticationError
        ? cause
        : new ManagerClosedError(
            `The manager at ${JSON.stringify(this.#address)} is gone (shut down, or its program ended): ` +
              'its proxies no longer work. Keep the manager running while its proxies are in use.',
            { cause },
          );
    this.#dead = err;
    void this.#conn?.then(
      (c) => c.close(),
      () => {},
    );
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
