// When a port link's frames leave (link/scheduler.ts, link/port-link.ts): the first value sent in
// a turn leaves at once, the rest of that turn's sends travel together at its end, and the end of
// the turn makes the next send leave at once again. A ping-pong schedules one end of turn per
// message, so this is what the round trip's cost rests on; a real MessageChannel, no mocks.
import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PortLink } from '../src/internal/link/port-link.js';
import { flushAtTurnEnd, tellAtTurnEnd } from '../src/internal/link/scheduler.js';
import { Op } from '../src/internal/protocol/ops.js';

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

// A link on one end of a channel, and a reader of the batches it posts (each batch one array).
function linked(): { link: PortLink; batches: () => unknown[][] } {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const link = new PortLink(port1);
  const batches = (): unknown[][] => {
    const out: unknown[][] = [];
    for (let m = receiveMessageOnPort(port2); m !== undefined; m = receiveMessageOnPort(port2)) {
      out.push(m.message as unknown[]);
    }
    return out;
  };
  return { link, batches };
}

// Resolves once the current turn is over: after its promise callbacks and its ticks.
const turnOver = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a port link in a turn', () => {
  it('sends the first value of a turn at once, and leaves the next ones of that turn to the batch', async () => {
    const { link, batches } = linked();
    expect(link.postNow(Op.R_PUT_VALUE, 0, 0, { n: 1 })).toBe(true);
    expect(batches()).toEqual([[Op.R_PUT_VALUE, 0, 0, { n: 1 }]]);
    // The same turn: not at once any more; the caller batches it (as Connection.send does).
    expect(link.postNow(Op.R_PUT_VALUE, 0, 0, { n: 2 })).toBe(false);
    expect(batches()).toEqual([]);
    await turnOver();
    expect(link.postNow(Op.R_PUT_VALUE, 0, 0, { n: 3 })).toBe(true);
    expect(batches()).toEqual([[Op.R_PUT_VALUE, 0, 0, { n: 3 }]]);
  });

  it('sends at once again in every later turn, also when the turn was awaited in promise callbacks', async () => {
    const { link, batches } = linked();
    for (let i = 0; i < 50; i++) {
      expect(link.postNow(Op.R_PUT_VALUE, 0, 0, i)).toBe(true);
      // A reply chain within the same turn (an echo awaiting a recv) stays in that turn.
      await Promise.resolve();
      expect(link.postNow(Op.R_PUT_VALUE, 0, 0, -i)).toBe(false);
      await turnOver();
    }
    expect(batches()).toHaveLength(50);
  });

  it('runs what a turn end scheduled while it ran at the next turn end, losing nothing', async () => {
    const order: string[] = [];
    flushAtTurnEnd({
      flush: () => {
        order.push('flush');
        flushAtTurnEnd({ flush: () => order.push('late flush') }); // due again: the next turn
      },
    });
    tellAtTurnEnd({
      turnEnded: () => {
        order.push('told');
        tellAtTurnEnd({ turnEnded: () => order.push('late told') });
      },
    });
    await Promise.resolve();
    expect(order).toEqual([]); // not before the promise callbacks of the turn have run
    await turnOver();
    expect(order).toEqual(['flush', 'told', 'late flush', 'late told']);
  });
});
