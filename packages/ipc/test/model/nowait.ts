// putNowait() in the protocol model: the home thread's (room taken at home), a thread copy's (room
// and a JoinableQueue's task taken in the queue's shared count, then R_PUT with room taken), and a
// process copy's: of a bounded queue, R_SLOT (the home takes room and counts a JoinableQueue's
// task, then the item once granted; a question it stopped waiting for gives both back; with places
// granted ahead, a plain queue's copy spends one and sends the item at once: places.ts); of an
// unbounded one, R_PUT (a JoinableQueue's task counted as it arrives).
import { ROOM_GRANTED, type SlotWait } from '../../src/internal/protocol/copy.js';
import { placesFor } from '../../src/internal/protocol/places.js';
import type { CopySim, Probe, System } from './system.js';

/**
 * One putNowait() by `c` (null: the home thread). `item` names the item when it is sent (a process
 * copy sends it only once the home granted room). `abandon`: a process copy's wait for the answer
 * times out at once, so room granted later must go back.
 */
export function putNowait(
  sys: System,
  c: CopySim | null,
  item: () => string,
  maxsize: number,
  abandon: boolean,
): Probe {
  const p: Probe = { done: false, kind: 'put', who: c?.name ?? 'home', nowait: true };
  if (!c) {
    p.item = item();
    p.done = true;
    p.result = sys.home.tryPut(0, p.item);
    return p;
  }
  c.probes.push(p);
  if (c.count && !(maxsize > 0 && c.proto.putsPending)) {
    p.done = true;
    const name = item();
    p.result = sys.putNow(c, name);
    if (p.result) p.item = name;
  } else if (maxsize <= 0) {
    // Unbounded (a JoinableQueue's too: its task is counted as the item arrives): on its way.
    p.done = true;
    p.result = true;
    p.item = item();
    c.proto.put(p.item, null, 0);
  } else if (c.proto.places > 0 && !c.proto.putsPending) {
    // A place granted ahead (places.ts): room taken already; more asked once half are spent.
    p.done = true;
    p.result = true;
    p.item = item();
    c.proto.places--;
    c.proto.put(p.item, null, 0, ROOM_GRANTED);
    const most = c.joinable ? 0 : placesFor(maxsize);
    if (most > 0 && !c.proto.placesAsked && c.proto.places * 2 <= most)
      c.proto.askSlot(null, most - c.proto.places);
  } else {
    const w = Object.assign(p, { abandoned: abandon }) as Probe & SlotWait;
    p.onSettle = (r) => {
      if (r !== true || w.abandoned || !c.alive) return;
      p.item = item();
      c.proto.put(p.item, null, 0, ROOM_GRANTED, c.joinable); // a JoinableQueue's task counted at the grant
      sys.flush(c);
    };
    c.proto.askSlot(w, c.count || c.joinable ? 0 : placesFor(maxsize) - c.proto.places);
  }
  sys.flush(c);
  return p;
}

/**
 * `c` does something else: a putNowait() still waiting for its answer gave up first (a real copy
 * blocks in putNowait() until the answer comes or its time runs out, then goes on).
 */
export function giveUpWaiting(c: CopySim): void {
  for (const p of c.probes) {
    if (!p.nowait || p.done) continue;
    (p as Probe & SlotWait).abandoned = true;
  }
}
