/**
 * Queues and pipe ends carried inside an item (a `Connection` put on a queue or sent on a pipe).
 * Encoding the value reserved a copy of each at its home, under a token (for a process: a queue may
 * be read anywhere), which whoever takes the item claims when it decodes it. The item owns those
 * reservations until then: an item dropped without being taken (its queue or pipe is gone, every
 * handle of it closed or ended; or its put was refused or withdrawn) releases them, so the carried
 * end's home no longer counts a handle nobody can use, and its other end sees EOF once nothing
 * else holds it, as the contract wants of a peer that is gone.
 *
 * A release is the claim and close of a copy, as a taker that closes at once would do: over this
 * thread's own call when the home is here (`HomeObject.releaseCarried`), else through a copy that
 * dials the home's broker, says hello with the token and closes. Nothing new on the wire.
 *
 * The same holds for any value the codec encoded and that was dropped undelivered (a pool call
 * that never reached a worker, a send the codec refused part-way): {@link dropEncoded}, which
 * other packages reach through `globalThis[Symbol.for('multiproc.ipc.dropEncoded')]` (core cannot
 * import this module: ipc's index exports the public API only). A copy for a thread is a port: it
 * is closed (a no-op once it was transferred: the thread that got it closes it, or its end does).
 */
import { CODEC_TAG, type EncodeContext } from '@multiproc/shared';
import type { Item } from '../protocol/item.js';
import type { ChannelEndpoint } from '../protocol/reader-copy.js';
import { encodedValue } from '../serialize.js';
import { broker } from './broker.js';
import type { HandleData } from './handle.js';
import { RemoteHandle } from './remote-handle.js';

/** The codec types whose data holds a handle's copy (`data.h`). */
const HANDLE_TYPES = new Set([
  'multiproc.Connection',
  'multiproc.Queue',
  'multiproc.JoinableQueue',
  'multiproc.SimpleQueue',
]);

/** Releases the copies `item` carries (none for items that went through no encoder). */
export function dropCarried(item: Item | undefined): void {
  if (item === undefined) return;
  const value = encodedValue(item);
  if (value === undefined) return;
  const found: HandleData[] = [];
  collect(value, found, new Set());
  for (const h of found) release(h);
}

/**
 * Releases the copies an encoded value (what `encodeValue()` returned) carries, which no receiver
 * decoded or ever will: each reservation a token names, and, with `ports`, each copy's port still
 * here. Only for a value never delivered; a port sent away is not this realm's to close.
 */
export function dropEncoded(value: unknown, ports = true): void {
  const found: HandleData[] = [];
  collect(value, found, new Set());
  for (const h of found) {
    if (h.port) {
      if (ports) h.port.close();
    } else if (typeof h.token === 'string') release(h);
  }
}

(globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.ipc.dropEncoded')] = dropEncoded;

/** What tells each copy made here (its data, by identity) that the worker it went to has ended. */
const holderEnds = new WeakMap<HandleData, () => void>();

/**
 * Returns `data`, a new copy's, after registering `ended`: it runs once when the worker the copy
 * went to has ended, told by `ctx.onReceiverEnd` (a Process) or by {@link endEncoded} (a pool call).
 */
export function onHolderEnded(data: HandleData, ctx: EncodeContext, ended: () => void): HandleData {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    holderEnds.delete(data);
    ended();
  };
  ctx.onReceiverEnd?.(once);
  holderEnds.set(data, once);
  return data;
}

/**
 * The worker an encoded value (what `encodeValue()` returned) went to, which decoded it, has ended
 * (a pool worker that crashed, exited, or was killed or terminated while it ran the call): each copy
 * made here that it carries counts as closed now, as a Process's do at its end, not once the
 * worker's link closes, which can come after the call has rejected. A pipe whose other end only it
 * held then fails sends at once (`BrokenPipeError`).
 */
export function endEncoded(value: unknown): void {
  const found: HandleData[] = [];
  collect(value, found, new Set());
  for (const h of found) holderEnds.get(h)?.();
}

(globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.ipc.endEncoded')] = endEncoded;

/** Releases what the items left in the channels of `endpoints` carry (a queue or pipe forgotten). */
export function dropItemsOf(endpoints: readonly ChannelEndpoint[]): void {
  const channels = new Set(endpoints.flatMap((e) => [e.read, e.write]));
  for (const ch of channels) if (ch) for (const item of ch.items.peekAll()) dropCarried(item);
}

function collect(v: unknown, found: HandleData[], seen: Set<object>): void {
  if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v)) return;
  seen.add(v);
  const rec = v as Record<string, unknown>;
  if (typeof rec[CODEC_TAG] === 'string' && HANDLE_TYPES.has(rec[CODEC_TAG])) {
    const h = (rec.data as { h?: HandleData } | undefined)?.h;
    if (h && (typeof h.token === 'string' || h.port)) found.push(h);
    return;
  }
  if (v instanceof Map) collect([...v.keys(), ...v.values()], found, seen);
  else if (v instanceof Set || Array.isArray(v)) for (const x of v) collect(x, found, seen);
  else for (const k of Object.keys(v)) collect(rec[k], found, seen);
}

function release(h: HandleData): void {
  try {
    const b = broker();
    if (h.path === b.path) return void b.get(h.id)?.releaseCarried?.(h.token!);
    // Claimed and closed at once: a pipe end's copy, read ahead nothing, asks nothing.
    void new RemoteHandle(h, { maxsize: 0, acked: false, eager: false }).close();
  } catch {
    // A home that cannot be reached any more has ended: nothing is left to release there.
  }
}
