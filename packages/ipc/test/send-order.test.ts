// The send order of a thread's links (src/internal/link/send-order.ts), without I/O: fake links
// that log what they write. A take report never leaves after a frame sent after the take, and no
// frame leaves before one sent earlier on another link.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flushBefore, join, keepOrder, leave, type Ordered } from '../src/internal/link/send-order.js';

const written: string[] = [];

/** A link as Link drives the order: frames (and a report) pending, written in one batch. */
class FakeLink implements Ordered {
  inOrder = false;
  framed = false;
  #frames: string[] = [];
  #report = false;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  send(frame: string): void {
    keepOrder(this);
    join(this);
    this.framed = true;
    this.#frames.push(frame);
  }
  took(): void {
    this.#report = true;
    join(this);
  }
  flush(): void {
    flushBefore(this);
    leave(this);
    const batch = [...this.#frames, ...(this.#report ? [`${this.name}:taken`] : [])];
    this.#frames = [];
    this.#report = false;
    this.framed = false;
    if (batch.length > 0) written.push(batch.join(' '));
    flushBefore(null);
  }
}

describe('send order', () => {
  it('a take report leaves before the forward sent after it, whichever link flushes', () => {
    for (const first of ['q', 'out']) {
      written.length = 0;
      const [q, out] = [new FakeLink('q'), new FakeLink('out')];
      out.send('out:put0'); // a forward pending from before
      q.took(); // the next take: report only, joins after out
      out.send('out:put1'); // its forward: q's report moves ahead of out
      q.took();
      out.send('out:put2');
      (first === 'q' ? q : out).flush();
      expect(written).toEqual(['q:taken', 'out:put0 out:put1 out:put2']);
    }
  });

  it('frames on two links in turn leave in the order sent (a batch per switch)', () => {
    written.length = 0;
    const [a, b] = [new FakeLink('a'), new FakeLink('b')];
    a.send('a1');
    b.send('b2');
    a.send('a3'); // b holds b2, older than a3: a1 and b2 leave first
    b.flush();
    expect(written).toEqual(['a1', 'b2', 'a3']);
  });

  it('any sequence: every frame and take leaves after all sent before it (fast-check)', () => {
    const step = fc.record({ kind: fc.constantFrom('send', 'took', 'flush'), link: fc.nat(2) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        written.length = 0;
        const links = [0, 1, 2].map((i) => new FakeLink(`L${i}`));
        // Event i: a frame `f<i>` or a take `t<i>` (its report is the link's next `:taken`).
        const takes: number[][] = [[], [], []];
        steps.forEach(({ kind, link }, i) => {
          const l = links[link]!;
          if (kind === 'send') l.send(`f${i}`);
          else if (kind === 'took') {
            l.took();
            takes[link]!.push(i);
          } else l.flush();
        });
        for (const l of links) l.flush();
        // Each event's write (one batch is one write): a report covers its link's takes so far.
        const at = new Map<number, number>();
        let pos = 0;
        const seen = [0, 0, 0];
        for (const batch of written) {
          pos++;
          for (const item of batch.split(' ')) {
            if (item.startsWith('f')) at.set(Number(item.slice(1)), pos);
            else {
              const li = Number(item.slice(1, item.indexOf(':')));
              const upTo = [...takes[li]!];
              for (const t of upTo.slice(seen[li])) at.set(t, pos);
              seen[li] = upTo.length;
            }
          }
        }
        let latest = 0; // the latest write of any event so far
        for (const e of [...at.keys()].sort((x, y) => x - y)) {
          // A frame never leaves in a write before an earlier event's (a report may leave early).
          if (steps[e]!.kind === 'send') expect(at.get(e)!).toBeGreaterThanOrEqual(latest);
          latest = Math.max(latest, at.get(e)!);
        }
      }),
      { seed: 67 },
    );
  });

  it("values on one link, then 'done' on another: the values leave first", () => {
    written.length = 0;
    const [values, flag] = [new FakeLink('values'), new FakeLink('flag')];
    for (let i = 0; i < 3; i++) values.send(`v${i}`);
    flag.send('done');
    flag.flush();
    expect(written).toEqual(['v0 v1 v2', 'done']);
  });
});
