/**
 * What a home hands on when its thread or process ends (Python: a child's queue feeder flushes at
 * exit, a pipe's data sits in the OS). A queue or pipe made in a worker and sent elsewhere must not
 * lose what the worker put or sent before it ended, though the items live at home:
 *
 * ```
 *   home ends ─► each channel's items still here ─push, in order─► its heir (one open reading copy)
 *             ─► every open reading copy: H_HEIR (keep what you hold: nothing can go back now)
 *             ─► links close: each copy serves what it holds, then EOF
 * ```
 *
 * First each get still waiting in an open copy (not recalled) takes the next item, in the order
 * they asked, so no waiting reader is sent EOF while another copy is handed everything. The heir
 * takes the rest: a copy with a get waiting, else one reading ahead, else any open reader. With no
 * open reader, a reading copy still on its way to a process (reserved, not connected) inherits
 * through `leave`: the runtime writes the frames it would have sent into a file its copy reads
 * when it finds the home gone (runtime/will.ts), as Python's pipe keeps unread data in the OS.
 * Only a home that ends without running its exit hooks (a thread terminated, a process killed)
 * loses what it holds; what it could not leave (the file could not be written) it counts as lost.
 */
import type { Channel } from './channel.js';
import type { HomeActions } from './home-copy.js';
import { type Item, MOVED } from './item.js';
import { Op } from './ops.js';
import type { ChannelEndpoint, ReaderCopy } from './reader-copy.js';

/** Each channel once, with the endpoints that read it. */
function channels(endpoints: readonly ChannelEndpoint[]): Map<Channel, ChannelEndpoint[]> {
  const byChannel = new Map<Channel, ChannelEndpoint[]>();
  for (const e of endpoints) {
    if (!e.read) continue;
    const list = byChannel.get(e.read);
    if (list) list.push(e);
    else byChannel.set(e.read, [e]);
  }
  return byChannel;
}

/** A reading copy on its way to a process (not a keeper): it may still connect. */
function reservedReader(readers: ChannelEndpoint[]): ReaderCopy | undefined {
  for (const e of readers)
    for (const c of e.copies) if (c.phase === 'reserved' && !c.keeper && c.token) return c;
  return undefined;
}

/** The copy that takes the channel's items: a waiting get first, then one reading ahead. */
function heirOf(ch: Channel): ReaderCopy | undefined {
  // A recalled copy drops what it holds and answers a home that will not read it (that is lost),
  // but takes what comes after the recall: the last choice.
  const open = [...ch.readers].filter((c) => c.phase === 'open');
  const fresh = open.filter((c) => !c.recalled);
  return (
    fresh.find((c) => c.hard > 0) ?? fresh.find((c) => c.softActive || c.soft > 0) ?? fresh[0] ?? open[0]
  );
}

/**
 * Leaves `items` to the copy holding `token`, then says `lost` more items are lost; `from`: the
 * copy's consumed count they follow (an open copy's: ReaderCopy.taken). False when it cannot.
 */
export type Leave = (token: string, items: Item[], lost?: number, from?: number) => boolean;

/**
 * The home ends now (at exit, no event loop left): pushes each channel's items to its heir, tells
 * every open reading copy it inherits, leaves them (`leave`; null: none is left) to a reading copy
 * still on its way when no reader is open, and returns how many items it could not leave so
 * (lost; a channel nobody else holds ends with its home, as in Python).
 */
export function bequeath(
  endpoints: readonly ChannelEndpoint[],
  out: HomeActions,
  leave: Leave | null,
): number {
  let lost = 0;
  for (const [ch, readers] of channels(endpoints)) {
    // A give-back still waiting for moved items to return completes with what came: the rest
    // would come in frames nobody reads any more.
    for (const c of ch.readers) {
      const back = c.pending ? c.takeBack(0, true) : null;
      if (back && back.slots > 0) ch.unshift(back.items, back.slots);
    }
    // Gets waiting in copies first, in the order they asked; the heir takes the rest.
    ch.serveWaitingAtEnd();
    const heir = heirOf(ch);
    if (heir)
      for (let item = ch.items.shift(); item !== undefined; item = ch.items.shift())
        heir.push(out, ch, item, 0);
    else if (ch.items.length > 0) {
      const later = leave ? reservedReader(readers) : undefined;
      if (later && leave) {
        const items = ch.items.drain();
        if (!leave(later.token!, items)) lost += items.length;
      }
    }
    for (const c of ch.readers) if (c.phase === 'open') out.send(c, Op.H_HEIR, 0, 0);
  }
  return lost;
}

/**
 * Leaves a will to every reading copy in another process that may not hear the end over its link:
 *
 * - each open copy that dialled this home's broker (`willOf` gives its token): what it was sent and
 *   has not reported taken (after {@link bequeath}, the bequest too). Its frames still go over its
 *   socket, but the copy may not have seen its connection complete: libuv reports a Unix socket's
 *   connect on a later turn by reading the socket's pending error, and the home's process closing
 *   its end while frames the copy sent are unread there sets that error (ECONNRESET), so Node
 *   reports a failed connect and drops every byte the home wrote;
 * - each reading copy still reserved (on its way, or connected with its hello not read yet: this
 *   home ends before it could take it) that {@link bequeath} left nothing to.
 *
 * A will may be empty: it still says that the home ran its exit hooks, so a copy whose link closed
 * before anything came ends with a plain EOF, not with "its home was killed" (which side learns of
 * the end first, the link's close or the home's frames, is a race). An open copy's will starts
 * with the consumed count its items follow (H_WILL), so a copy whose link brought frames and closed
 * before H_HEIR (the exit's flush gave up on a reader that did not read) skips what it took and
 * holds the rest (protocol/will-heir.ts); one that got H_HEIR removes it. Bytes written from the
 * sender's memory are not kept at home: a copy holding some is left what came before the first of
 * them and the number of items from there on, which it reports lost (its get ends with EOFError
 * saying so) unless it holds them itself, rather than skip them.
 */
export function leaveUnconfirmed(
  endpoints: readonly ChannelEndpoint[],
  willOf: (c: ReaderCopy) => string | null,
  leave: Leave,
): void {
  for (const e of endpoints) {
    if (!e.read) continue;
    for (const c of e.copies) {
      // A reserved copy bequeath() left items to has its will already (leave() never overwrites).
      if (c.phase === 'reserved' && !c.keeper && c.token) leave(c.token, []);
      const token = willOf(c);
      if (!token || c.phase !== 'open') continue;
      const items = [...c.delivered.peekAll()];
      const moved = items.indexOf(MOVED);
      if (moved < 0) leave(token, items, 0, c.taken);
      else leave(token, items.slice(0, moved), items.length - moved, c.taken);
    }
  }
}

/**
 * Whether a copy that reads has not taken everything yet: an item waits here (it did not ask for
 * it yet) or was sent and not reported taken. Ending before that would lose it: a socket closed
 * with the copy's frames unread is reset, and the peer's kernel drops what it had not read.
 */
export function undelivered(endpoints: readonly ChannelEndpoint[]): boolean {
  return endpoints.some((e) =>
    [e.read, e.write].some(
      (ch) =>
        ch &&
        ch.readers.size > 0 &&
        (ch.items.length > 0 || [...ch.readers].some((c) => c.delivered.length > 0)),
    ),
  );
}
