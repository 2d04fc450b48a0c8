/**
 * This thread's side of the manager's refcounts (served-refs.ts): how many proxies of each object
 * live here, told to the manager as they come and go. A proxy collected by the garbage collector
 * (a `FinalizationRegistry`) counts down; when none of an object is left here, a DECREF goes to the
 * manager (batched, sent without an answer). A proxy decoded here (one sent by another thread or
 * process, or given back by a call) takes up the sender's pin; this thread becomes a holder with
 * its first call of the object (INCREF), so a proxy that only passes through opens no connection.
 * The thread that serves the manager reports to its server directly.
 */
import { countCollectable, countSettled } from '../finalize.js';
import { beforeExitFlush, beforeFlushing, EXIT_FLUSH_MS } from '../runtime/exit.js';
import type { ManagerClient } from './client.js';
import { deliverAtExit } from './exit-connect.js';
import { copyFrame, QUIET, requestFrame } from './rpc.js';
import { DECREF, INCREF, LOCAL, PIN, type ServedRefs } from './served-refs.js';
import type { ProxyRef } from './wire.js';

interface Tracked {
  readonly ref: ProxyRef;
  /** Proxies of the object alive in this thread. */
  live: number;
  /** Copies decoded here whose pin the manager was not told of yet. */
  unpins: number;
  /** Whether this thread's connection told the manager it holds the object. */
  held: boolean;
}

// Servers this thread serves, by instance: reported to directly.
const localServers = new Map<string, ServedRefs>();
// By `instance|id`.
const tracked = new Map<string, Tracked>();
const registry = new FinalizationRegistry<string>((key) => collected(key));
// Where the connections' reports go: set by client.ts (a function, so this file needs no import of it).
let connectionOf: ((ref: ProxyRef, make: boolean) => ManagerClient | null) | null = null;
const batches = new Map<ManagerClient, Map<string, number[]>>();
let flushing = false;

const keyOf = (ref: ProxyRef): string => `${ref.server ?? ref.address}|${ref.id}`;

/** Server `instance` is served by this thread (null: no longer). */
export function serveLocally(instance: string, refs: ServedRefs | null): void {
  refs === null ? localServers.delete(instance) : localServers.set(instance, refs);
}

/** @internal Set by client-registry.ts: this thread's live connection for `ref`, if any (made when `make`). */
export function reportThrough(find: (ref: ProxyRef, make: boolean) => ManagerClient | null): void {
  connectionOf = find;
}

/**
 * Proxy `proxy` of `ref` was made in this thread. `decoded`: a copy that was sent (it takes up the
 * sender's pin); else the object was just created for this thread (its holder already).
 */
export function adopt(proxy: object, ref: ProxyRef, decoded: boolean): void {
  if (ref.server === undefined || ref.id < 0) return; // an older manager, or not created yet
  if (ref.lock !== undefined) adopt(proxy, ref.lock, decoded); // a synchronized Value's lock lives as long
  const key = keyOf(ref);
  let t = tracked.get(key);
  if (ref.again) decoded = true; // an object served already: pinned for this proxy (server.ts, create)
  if (t === undefined) tracked.set(key, (t = { ref, live: 0, unpins: 0, held: !decoded }));
  t.live++;
  registry.register(proxy, key);
  // A pool worker whose task dropped it collects once idle, for the manager to free the object
  // (Python's refcount frees it as the task returns; a worker that allocates little never collects).
  countCollectable();
  const local = localServers.get(ref.server);
  if (local !== undefined) {
    if (decoded || t.live === 1) local.incref(LOCAL, ref.id, decoded ? 1 : 0);
    t.held = true;
  } else if (decoded) {
    t.unpins++;
    beforeExitFlush(reportAtExit);
    if (typeof ref.address !== 'string') beforeFlushing(takeUpOverTcp);
  }
}

/**
 * As this realm flushes (a Process's end, a pool batch's answer; the event loop still runs): copies
 * of a TCP manager's objects taken up here that no call reported are reported now, over a
 * connection made for them, which then holds them until they are collected or it ends. At exit no
 * TCP connection can be made (exit-connect.ts): a Process that passed such a proxy by, or ignored
 * it, left its object in the manager for ever.
 */
function takeUpOverTcp(): void {
  for (const t of tracked.values()) {
    if (t.unpins === 0 || typeof t.ref.address === 'string' || localServers.has(t.ref.server!)) continue;
    const client = connectionOf?.(t.ref, true) ?? null;
    if (client !== null) using(t.ref, client);
  }
}

/**
 * At exit (the event loop will not run again): what waits to be reported goes now, and copies
 * taken up here that no call reported (a Process that passed a proxy by, or ignored it) are
 * reported over a connection made synchronously (exit-connect.ts), else the manager would keep
 * their objects for ever. A manager gone by then is no loss.
 */
function reportAtExit(): void {
  flush();
  const unsent = new Map<string, { ref: ProxyRef; frames: Buffer[] }>();
  for (const [key, t] of tracked) {
    if (t.unpins === 0) continue;
    tracked.delete(key);
    const client = connectionOf?.(t.ref, false) ?? null;
    if (client !== null) {
      report(client, DECREF, [t.ref.id, t.unpins]); // written by its own flush at exit
      continue;
    }
    const to = `${t.ref.server}|${String(t.ref.address)}`;
    const group = unsent.get(to) ?? { ref: t.ref, frames: [] };
    unsent.set(to, group);
    group.frames.push(copyFrame(requestFrame(0, 0, DECREF, [t.ref.id, t.unpins], QUIET)));
  }
  const deadline = Date.now() + EXIT_FLUSH_MS;
  for (const { ref, frames } of unsent.values())
    deliverAtExit(ref.address, Buffer.from(ref.authkey, 'hex'), frames, 1, deadline, ref.server);
}

/** A proxy of `ref` is about to make a call through `client`: this thread holds the object. */
export function using(ref: ProxyRef, client: ManagerClient): void {
  if (ref.server === undefined) return;
  if (ref.lock !== undefined) using(ref.lock, client);
  const t = tracked.get(keyOf(ref));
  if (t === undefined || (t.held && t.unpins === 0)) return;
  if (localServers.has(ref.server)) return;
  queue(client, INCREF, ref.id, t.unpins);
  t.held = true;
  t.unpins = 0;
}

/** A proxy of `ref` is being encoded to be sent: the object is pinned until a receiver takes it up. */
export function sending(ref: ProxyRef, client: () => ManagerClient): void {
  if (ref.server === undefined || ref.id < 0) return;
  if (ref.lock !== undefined) sending(ref.lock, client);
  const local = localServers.get(ref.server);
  if (local !== undefined) {
    local.pin(ref.id);
    return;
  }
  // After this encoding (a frame may be half written): the receiver's report may come first, which
  // the manager's signed count allows. At the latest at exit: a sender that calls `process.exit()`
  // in this turn would close its connection unpinned, and the manager would free the object
  // before the receiver took the copy up.
  if (unreportedPins.length === 0) {
    queueMicrotask(reportPins);
    beforeExitFlush(reportPins);
  }
  unreportedPins.push([client, ref.id]);
}

const unreportedPins: [client: () => ManagerClient, id: number][] = [];

function reportPins(): void {
  for (const [client, id] of unreportedPins.splice(0)) report(client(), PIN, [id, 1]);
}

function collected(key: string): void {
  countSettled();
  const t = tracked.get(key);
  if (t === undefined || --t.live > 0) return;
  tracked.delete(key);
  release(key, t.ref, t.held, t.unpins);
}

// No proxy of `ref` is left here: the manager is told, once no call of this thread on it waits
// for its answer (the object must outlive the call, as the caller's proxy does in Python).
function release(key: string, ref: ProxyRef, held: boolean, unpins: number): void {
  const again = tracked.get(key);
  if (again !== undefined) {
    again.unpins += unpins; // a new proxy of it came meanwhile: it reports these with its own
    return;
  }
  // Copies taken up here but never used (a task that passed a proxy on, or ignored it) opened no
  // connection: one is made to say so, or the manager would keep the object for ever (Python's
  // proxy connects as it is unpickled, and decrefs as it is collected).
  const client = connectionOf?.(ref, unpins > 0 && !localServers.has(ref.server!)) ?? null;
  if (client?.pending.waitsOn(ref.id)) {
    setTimeout(() => release(key, ref, held, unpins), 250).unref();
    return;
  }
  client?.leases.noProxyLeft(ref.id);
  const local = localServers.get(ref.server!);
  if (local !== undefined) local.decref(LOCAL, ref.id, 0);
  else if (client !== null && (held || unpins > 0)) queue(client, DECREF, ref.id, unpins);
  // (no connection: it ended, and the manager dropped what it held or is gone)
}

// Reports go out together, after this turn, each method's as one frame; an INCREF at once, before
// the call that makes this thread a holder.
function queue(client: ManagerClient, method: string, id: number, n: number): void {
  let byMethod = batches.get(client);
  if (byMethod === undefined) batches.set(client, (byMethod = new Map()));
  let list = byMethod.get(method);
  if (list === undefined) byMethod.set(method, (list = []));
  list.push(id, n);
  if (method === INCREF) {
    byMethod.delete(INCREF);
    report(client, INCREF, list);
    return;
  }
  if (!flushing) {
    flushing = true;
    setImmediate(flush).unref();
  }
}

function flush(): void {
  flushing = false;
  for (const [client, byMethod] of batches) {
    for (const [method, list] of byMethod) report(client, method, list);
  }
  batches.clear();
}

function report(client: ManagerClient, method: string, args: number[]): void {
  if (!client.dead) client.pushQuiet(requestFrame(0, 0, method, args, QUIET));
}
