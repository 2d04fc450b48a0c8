/**
 * This thread's manager clients (client.ts): one connection per manager (its address, key and
 * server instance), shared by every proxy of it in this thread, made on first use and forgotten
 * when it dies. A manager started again at the same address is another instance: its proxies get
 * a connection of their own, never the old one's (which may not have seen its server go yet), and
 * a proxy of the old one gets a connection that dies at once (client.ts, `expected`).
 */
import type { Address } from '../net/endpoint.js';
import { ManagerClient } from './client.js';
import { reportThrough } from './client-refs.js';
import { learnKey } from './ref-keys.js';
import { managerKey } from './stuck.js';
import { madeAfterDeath } from './unsent.js';

// By managerKey (a connection made not knowing the instance: connect()), and by managerKey|instance.
const clients = new Map<string, ManagerClient>();
// Keys whose connection died (their next one is a successor, unsent.ts).
const ended = new Set<string>();

function forget(c: ManagerClient): void {
  for (const [key, v] of clients) {
    if (v !== c) continue;
    clients.delete(key);
    ended.add(key);
  }
}

/**
 * This thread's client of the manager at `address` (one per address, key and `server` instance;
 * without `server`, the one of whichever instance serves there).
 */
export function clientFor(address: Address, authkey: string, server?: string): ManagerClient {
  const base = managerKey(address, authkey);
  const key = server === undefined ? base : `${base}|${server}`;
  if (server === undefined) learnKey(address, authkey); // connect(), a manager's own calls
  let c = clients.get(key);
  if (c) return c;
  // The connection connect() made serves that instance's proxies too, once it knows it is that one.
  const known = server === undefined ? undefined : clients.get(base);
  if (known !== undefined && !known.dead && known.server === server) c = known;
  else {
    const made: ManagerClient = new ManagerClient(address, authkey, () => forget(made), server);
    if (ended.has(key)) madeAfterDeath(made);
    c = made;
  }
  clients.set(key, c);
  return c;
}

/** Whether this thread has a connection to the manager at `address` made not knowing its instance. */
export function hasClient(address: Address, authkey: string): boolean {
  return clients.has(managerKey(address, authkey));
}

/** Whether this thread has a live connection to manager instance `server` at `address`. */
export function hasClientOf(address: Address, authkey: string, server: string): boolean {
  const base = managerKey(address, authkey);
  const c = clients.get(`${base}|${server}`) ?? clients.get(base);
  return c !== undefined && !c.dead && (c.server === undefined || c.server === server);
}

/**
 * Manager instance `server`, served in this thread, shuts down: this thread's connections to it
 * end first (`ManagerClient.managerShutDown`, their proxies reject with `ManagerClosedError`), before
 * the server drops their sockets. What they pipelined is moot (the objects go with the manager), so
 * that break is no loss to warn of (MP_LATE_WRITE).
 */
export function serverShutDown(server: string): void {
  for (const c of new Set(clients.values())) if (c.server === server) c.managerShutDown();
}

/** Whether a call of this thread to manager instance `server` waits for its answer. */
export function callsPending(server: string): boolean {
  for (const c of clients.values()) if (c.server === server && !c.dead && c.pending.size > 0) return true;
  return false;
}

// Refcount reports go through the live connection a proxy of `ref` uses. A new one only when
// `make` and this thread never had one to that manager: one that died took what it held with it,
// or the manager is gone.
reportThrough((ref, make) => {
  const base = managerKey(ref.address, ref.authkey);
  const c = clients.get(`${base}|${ref.server}`) ?? clients.get(base);
  if (c !== undefined) return !c.dead && c.server === ref.server ? c : null;
  const key = `${base}|${ref.server}`;
  return make && !ended.has(key) && !ended.has(base) ? clientFor(ref.address, ref.authkey, ref.server) : null;
});
