/**
 * This thread's manager clients (client.ts): one connection per manager (its address and key),
 * shared by every proxy of it in this thread, made on first use and forgotten when it dies.
 */
import type { Address } from '../net/endpoint.js';
import { ManagerClient } from './client.js';
import { managerKey } from './stuck.js';

const clients = new Map<string, ManagerClient>();

/** This thread's client of the manager at `address` (one per address and key). */
export function clientFor(address: Address, authkey: string): ManagerClient {
  const key = managerKey(address, authkey);
  let c = clients.get(key);
  if (!c) {
    c = new ManagerClient(address, authkey, () => clients.delete(key));
    clients.set(key, c);
  }
  return c;
}
