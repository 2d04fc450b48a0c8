/**
 * Home side. An {@link Endpoint} is one end of a pipe, or a whole queue, as seen by its home: the
 * channel it reads, the channel it writes, and how many handles of it are open anywhere (a handle
 * is this thread's object, or a copy in another thread or process). Closing the last handle of a
 * pipe end is what makes the other end see EOF, as when the last copy of a file descriptor closes.
 *
 * A {@link Peer} serves one remote handle over its link. Items pushed to it stay on its books
 * until it reports them consumed (R_TAKEN); whatever it had not consumed when it goes away
 * (closed, or its thread or process died) goes back to the front of the channel, so a copy that
 * fetched ahead never loses items. An item consumed just before a crash may be delivered again.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { type Channel, type Item, isDecoded, type Reader } from './channel.js';
import { Deque } from './deque.js';
import { Op, textOf } from './frames.js';
import type { Link } from './link.js';
import { MOVED, moved, PortLink } from './port-link.js';

/** A give-back waiting for moved items still on their way back from the remote. */
interface PendingGiveBack {
  items: (Item | null)[];
  missing: number;
  ack: number;
}

export class Endpoint {
  readonly id: number;
  readonly read: Channel | null;
  readonly write: Channel | null;
  #handles = 0;
  // Tokens of copies sent to other processes that have not connected yet, and of copies that
  // connected before their reservation arrived (the two travel on different links).
  readonly #reserved = new Set<string>();
  readonly #early = new Set<string>();
  readonly #onUnused: (ep: Endpoint) => void;

  constructor(id: number, read: Channel | null, write: Channel | null, onUnused: (ep: Endpoint) => void) {
    this.id = id;
    this.read = read;
    this.write = write;
    this.#onUnused = onUnused;
  }

  /** The channel that holds this object's items (a queue reads and writes the same one). */
  get main(): Channel {
    return (this.read ?? this.write)!;
  }

  /** A queue (one channel) rather than a pipe end: copies want its size reported. */
  get isQueue(): boolean {
    return this.read === this.write;
  }

  acquire(): void {
    this.#handles++;
    this.write?.addWriter();
  }

  release(): void {
    this.#handles--;
    this.write?.removeWriter();
    if (this.#handles === 0) this.#onUnused(this);
  }

  /** Counts a copy on its way to another process as an open handle until it connects. */
  reserve(token: string): void {
    if (this.#early.delete(token)) return;
    this.#reserved.add(token);
    this.acquire();
  }

  /** A copy connected: it takes over its reservation (or opens a handle if it came first). */
  claim(token: string): void {
    if (this.#reserved.delete(token)) return;
    this.#early.add(token);
    this.acquire();
  }

  /** A new port-served handle for a copy going to another thread. */
  openPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.acquire();
    new Peer(this, new PortLink(port1));
    return port2;
  }
}

/** Serves one remote handle: applies its frames to the endpoint, pushes items while it has credit. */
export class Peer implements Reader {
  credit = 0;
  readonly #ep: Endpoint;
  readonly #link: Link;
  readonly #delivered = new Deque<Item>();
  // Moved items the remote sent back, not yet matched with their place in #delivered.
  readonly #returned = new Deque<Item>();
  #pending: PendingGiveBack | null = null;
  readonly #moves: boolean;
  #released = false;
  #dirty = false;
  #epoch = 0;
  /** Set by the broker: starts listening for process connections. */
  static listen: () => void = () => {};

  constructor(ep: Endpoint, link: Link) {
    this.#ep = ep;
    this.#link = link;
    this.#moves = link instanceof PortLink && !ep.isQueue;
    if (this.#moves) (link as PortLink).moveData = true;
    link.onFrame = this.#onFrame;
    link.onClose = () => this.#release();
    // After each batch, tell the remote how full the queue is (its qsize/full/empty read this).
    if (ep.isQueue)
      link.beforeFlush = () => {
        if (!this.#dirty) return;
        this.#dirty = false;
        const ch = ep.main;
        link.send(Op.H_STATE, ch.size, ch.unfinished);
      };
    if (link instanceof PortLink) {
      link.onAttach = (port) => {
        ep.acquire();
        new Peer(ep, new PortLink(port));
      };
    }
    ep.read?.attachReader(this);
  }

  deliver(item: Item): void {
    this.#dirty = true;
    // A view into a bigger buffer (a socket chunk) becomes its own copy, which the port can move.
    if (this.#moves && item instanceof Uint8Array && item.byteLength !== item.buffer.byteLength) {
      item = item.slice();
    }
    this.#delivered.push(item);
    this.#link.send(Op.H_DATA, this.#epoch, 0, item);
  }

  deliverNow(value: unknown): boolean {
    // Only a pipe end's reader sends back what it does not use, which a value sent by move needs.
    if (!this.#moves || !(this.#link as PortLink).postNow(Op.H_DATA_VALUE, this.#epoch, value)) {
      return false;
    }
    this.#dirty = true;
    this.#delivered.push(MOVED);
    return true;
  }

  deliverEof(): void {
    this.#link.send(Op.H_EOF, 0, 0);
  }

  #onFrame = (op: number, a: number, b: number, body: Item): void => {
    const ep = this.#ep;
    switch (op) {
      case Op.R_PUT:
        void ep.write?.put(body);
        break;
      case Op.R_PUT_ACKED: {
        const r = ep.write!.put(body, b < 0 ? undefined : b);
        if (typeof r === 'boolean') this.#ack(a, r);
        else void r.then((ok) => this.#ack(a, ok));
        break;
      }
      case Op.R_DEMAND:
        ep.read?.addCredit(this, a);
        break;
      case Op.R_TAKEN:
        for (let i = 0; i < a; i++) this.#delivered.shift();
        ep.read?.settle(a);
        break;
      case Op.R_GIVE_BACK:
        this.#epoch = a;
        this.credit = 0;
        this.#giveBack(b);
        break;
      case Op.R_RETURN:
        this.#onReturn(body);
        break;
      case Op.R_CLOSE:
        this.#release();
        this.#link.end();
        break;
      case Op.R_RESERVE:
        ep.reserve(textOf(body));
        if (a === 1) Peer.listen();
        break;
      case Op.R_TASK_DONE:
        ep.main.taskDone(a);
        this.#dirty = true;
        break;
      case Op.R_JOIN:
        void ep.main.join().then(() => this.#link.send(Op.H_JOINED, a, 0));
        break;
    }
  };

  // Everything pushed to the remote and not reported taken goes back to the front of the channel,
  // in order. Moved items are taken from what the remote returned; any still on their way back
  // (they crossed the give-back) are waited for before the items go back and the ack is sent.
  #giveBack(ack: number): void {
    this.#finishGiveBack(); // an earlier one still waiting goes back first, as it is
    const items: (Item | null)[] = this.#delivered.drain();
    let missing = 0;
    for (let i = 0; i < items.length; i++) {
      if (!moved(items[i]!)) continue;
      const r = this.#returned.shift();
      if (r === undefined) missing++;
      items[i] = r ?? null;
    }
    this.#pending = { items, missing, ack };
    if (missing === 0) this.#finishGiveBack();
  }

  #onReturn(returned: Item): void {
    // Back home it is an ordinary item again: the home keeps it until it is reported taken.
    const item = isDecoded(returned) ? { value: returned.value } : returned;
    const p = this.#pending;
    if (!p) {
      this.#returned.push(item);
      return;
    }
    const at = p.items.indexOf(null);
    if (at >= 0) p.items[at] = item;
    if (--p.missing <= 0) this.#finishGiveBack();
  }

  // Puts the pending items back; a moved item that never came back (the remote closed or died
  // while it was on its way) is dropped.
  #finishGiveBack(): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    const read = this.#ep.read;
    const items = p.items.filter((x): x is Item => x !== null);
    if (read && p.items.length > 0) read.unshift(items, p.items.length - items.length);
    if (p.ack > 0) this.#ack(p.ack, true);
  }

  #ack(seq: number, ok: boolean): void {
    this.#dirty = true;
    this.#link.send(Op.H_ACK, seq, ok ? 1 : 0);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    const read = this.#ep.read;
    if (read) {
      read.detachReader(this);
      if (this.#delivered.length > 0) this.#giveBack(0);
      this.#finishGiveBack();
    }
    this.#ep.release();
  }
}
