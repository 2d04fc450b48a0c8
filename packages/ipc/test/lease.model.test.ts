// Lock leases as a property: the client's lease calls (client-lease.ts) and the served Lock
// (served-sync.ts, served-lease.ts) wired together without sockets, driven by random sequences of
// non-blocking acquires, releases, locked() calls and owner deaths from three connections, with
// revokes delivered late. Each answer is checked against a plain Lock held or not (Python's
// threading.Lock behind a manager): an acquire succeeds exactly when the lock is free, locked()
// says whether it is held, a release of a free lock raises.
import { LockError } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acquireLock, isLocked, LeaseCalls } from '../src/internal/manager/client-lease.js';
import { Pipelining } from '../src/internal/manager/client-pipeline.js';
import {
  encoded,
  HEADER_BYTES,
  LEASE,
  LEASE_BACK,
  QUIET,
  REQUEST,
  requestFrame,
} from '../src/internal/manager/rpc.js';
import { decodeRequest } from '../src/internal/manager/rpc-read.js';
import { MAY_LEASE, ServedLock } from '../src/internal/manager/served-sync.js';

const ID = 1;
// Acquires answered by a lease (so the property covers leases, not only ordinary holds).
let leased = 0;
const OWNERS = [1, 2, 3] as const;

type Step =
  | { t: 'acquire' | 'release' | 'locked' | 'kill'; o: number }
  | { t: 'deliver' }
  | { t: 'pairs'; o: number; n: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constantFrom('acquire', 'release', 'locked', 'kill'), o: fc.constantFrom(...OWNERS) }),
  fc.record({ t: fc.constant('deliver') }),
  fc.record({ t: fc.constant('pairs'), o: fc.constantFrom(...OWNERS), n: fc.integer({ min: 1, max: 20 }) }),
) as fc.Arbitrary<Step>;

/** One connection: its real lease calls and pipelining state, talking to `lock` directly. */
class Conn {
  pipe = new Pipelining();
  leases: LeaseCalls;
  /** Pipelined releases the served lock refused (a LATE failure). */
  late = 0;
  readonly owner: number;
  readonly #lock: ServedLock;

  constructor(owner: number, lock: ServedLock) {
    this.owner = owner;
    this.#lock = lock;
    this.leases = this.#fresh();
  }

  #fresh(): LeaseCalls {
    return new LeaseCalls(
      () => null,
      this.pipe,
      (n) => this.#quiet(n),
    );
  }

  /** The connection died: a new one starts with nothing. */
  reset(): void {
    this.pipe = new Pipelining();
    this.leases = this.#fresh();
  }

  // A pipelined frame (the `n` bytes just encoded): a release or a lease given back.
  #quiet(n: number): void {
    const [, method, args] = decodeRequest(encoded(), HEADER_BYTES, n);
    if (method === LEASE_BACK) {
      this.#lock.leaseBack(this.owner, args[0] === true);
      return;
    }
    // A failure would come back as LATE (a warning, and the next call of it rejected): counted here.
    void Promise.resolve()
      .then(() => this.#lock.invoke(method, args, this.owner))
      .catch(() => this.late++);
  }

  request(id: number, method: string, args: unknown[], holds = false, _wait = 0, tag = REQUEST) {
    const call = tag === LEASE ? [...args, MAY_LEASE] : args;
    return new Promise((resolve) => resolve(this.#lock.invoke(method, call, this.owner))).then((v) =>
      this.pipe.answered(holds ? id : -1, -1, v),
    );
  }

  /** What ManagerClient.release does for a Lock. */
  release(): Promise<unknown> {
    const local = this.leases.release(ID);
    if (local !== null) return local;
    if (!this.pipe.holds(ID)) return this.request(ID, 'release', []);
    this.pipe.dropHold(ID);
    this.#quiet(requestFrame(0, ID, 'release', [], QUIET));
    return Promise.resolve();
  }
}

async function run(steps: Step[]): Promise<void> {
  const revokes: number[] = [];
  const lock = new ServedLock(false);
  lock.placed(ID, { revoke: (owner) => revokes.push(owner) });
  const conns = new Map<number, Conn>(OWNERS.map((o) => [o, new Conn(o, lock)]));
  // The model: whether the lock is held, and by whom (a plain Lock: any holder may release).
  let held = false;
  let by = 0;
  const deliver = () => {
    for (const o of revokes.splice(0)) conns.get(o)!.leases.revoked(ID);
  };
  // Settles `p`, delivering revokes whenever it waits (it may wait for a lease to come back).
  const settle = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const out = p.finally(() => {
      done = true;
    });
    for (let i = 0; i < 50 && !done; i++) {
      await new Promise((r) => setImmediate(r));
      deliver();
    }
    return out;
  };
  for (const step of steps) {
    if (step.t === 'deliver') {
      deliver();
      continue;
    }
    const c = conns.get(step.o)!;
    if (step.t === 'acquire' || step.t === 'pairs') {
      const n = step.t === 'pairs' ? step.n : 1;
      for (let i = 0; i < n; i++) {
        const got = await settle(acquireLock(c, ID, 0, true, false));
        expect(got).toBe(!held);
        if (!got) break;
        if (c.pipe.leases.state(ID) !== undefined) leased++;
        held = true;
        by = step.o;
        if (step.t === 'pairs') {
          await settle(c.release() as Promise<unknown>);
          await settle(Promise.resolve()); // a pipelined release is applied
          held = false;
        }
      }
    } else if (step.t === 'release') {
      const lateBefore = c.late;
      const r = await settle(
        // A release known to fail here (a free lease) throws at once: counted as its failure.
        (async () => c.release())().then(
          () => 'ok',
          (e: unknown) => e,
        ),
      );
      await settle(Promise.resolve());
      const failed = r !== 'ok' || c.late > lateBefore;
      if (r !== 'ok') expect(r).toBeInstanceOf(LockError);
      expect(failed).toBe(!held);
      held = false;
    } else if (step.t === 'locked') {
      expect(await settle(isLocked(c, ID))).toBe(held);
    } else {
      // Killed: what it held is released; its leases and holds are gone with it.
      lock.ownerGone(step.o, false);
      for (let i = revokes.indexOf(step.o); i >= 0; i = revokes.indexOf(step.o)) revokes.splice(i, 1);
      c.reset();
      if (held && by === step.o) held = false;
    }
  }
}

describe('Lock leases model', () => {
  it('answers as a plain Lock whatever the order of calls, revokes and deaths', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 40 }), (steps) => run(steps)),
      { numRuns: 150, seed: 174 },
    );
    expect(leased).toBeGreaterThan(0);
  }, 60_000);
});
