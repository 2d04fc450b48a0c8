// Dict leases as a property: the client's data lease calls (client-data-lease.ts) and the served dict
// (served-data-lease.ts) wired together without sockets, driven by random sequences of reads and
// mutations (set, update, delete, pop, setdefault, clear, calls by name) from three connections,
// with revokes delivered late and connections dying. Each answer is checked against a plain Map (a
// Python dict behind a manager): whichever connection holds the lease, every answer is the Map's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataCalls } from '../src/internal/manager/client-data-lease.js';
import { Pipelining } from '../src/internal/manager/client-pipeline.js';
import { encoded, HEADER_BYTES, LEASE_BACK } from '../src/internal/manager/rpc.js';
import { decodeRequest } from '../src/internal/manager/rpc-read.js';
import { Granted, LeasedDict } from '../src/internal/manager/served-data-lease.js';
import { ManagedDict } from '../src/internal/manager/served-dict.js';
import { MAY_LEASE } from '../src/internal/manager/served-sync.js';

const ID = 7;
const OWNERS = [1, 2, 3] as const;
const KEYS: unknown[] = ['a', 'b', 1, [1, 2]];
// Answers given by a replica (so the property covers leases, not only the manager's answers).
let local = 0;

type Op =
  | { t: 'get' | 'has' | 'delete' | 'pop'; k: number }
  | { t: 'set' | 'setdefault'; k: number; v: unknown }
  | { t: 'update'; pairs: [number, unknown][] }
  | { t: 'keys' | 'len' | 'items' | 'clear' | 'copy' | 'byName' };
type Step = { t: 'op'; o: number; op: Op; n: number } | { t: 'deliver' } | { t: 'kill'; o: number };

const value = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom('x', 'y'),
  fc.constant(null).map(() => ({ n: [1] })), // a fresh object each time
);
const key = fc.integer({ min: 0, max: KEYS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constantFrom('get', 'has', 'delete', 'pop'), k: key }),
  fc.record({ t: fc.constantFrom('set', 'setdefault'), k: key, v: value }),
  fc.record({ t: fc.constant('update'), pairs: fc.array(fc.tuple(key, value), { maxLength: 3 }) }),
  fc.record({ t: fc.constantFrom('keys', 'len', 'items', 'clear', 'copy', 'byName') }),
) as fc.Arbitrary<Op>;
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('op'),
      o: fc.constantFrom(...OWNERS),
      op: opArb,
      n: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('deliver') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('kill'), o: fc.constantFrom(...OWNERS) }) },
) as fc.Arbitrary<Step>;

/** One connection: its real data lease calls and pipelining state, talking to `dict` directly. */
class Conn {
  pipe = new Pipelining();
  calls: DataCalls;
  readonly owner: number;
  readonly #dict: LeasedDict;

  constructor(owner: number, dict: LeasedDict) {
    this.owner = owner;
    this.#dict = dict;
    this.calls = this.#fresh();
  }

  #fresh(): DataCalls {
    return new DataCalls(
      () => null,
      this.pipe,
      (n) => this.#quiet(n),
    );
  }

  /** The connection died: a new one starts with nothing. */
  reset(): void {
    this.pipe = new Pipelining();
    this.calls = this.#fresh();
  }

  // A pipelined frame (the `n` bytes just encoded), run at once as the socket is FIFO.
  #quiet(n: number): Promise<unknown> {
    const [, method, args] = decodeRequest(encoded(), HEADER_BYTES, n);
    if (method === LEASE_BACK) this.#dict.leaseBack(this.owner);
    else void this.#dict.invoke(method, args, this.owner);
    return Promise.resolve();
  }

  /** What ManagerClient.dataCall does (`byName`: request(), for callMethod: no lease offered). */
  call(method: string, args: unknown[], byName = false): Promise<unknown> {
    const here = this.calls.call(ID, method, args, () => this.call(method, args, byName));
    if (here !== null) {
      local++;
      return here;
    }
    const mark = this.pipe.data.touch(ID);
    const wire = structuredClone(args); // a request's arguments arrive as copies
    const r = new Promise((resolve) =>
      resolve(this.#dict.invoke(method, byName ? wire : [...wire, MAY_LEASE], this.owner)),
    );
    return r.then((v) => {
      if (!(v instanceof Granted)) return structuredClone(v);
      this.pipe.data.grant(ID, mark, structuredClone(v.items));
      return structuredClone(v.value);
    });
  }
}

const norm = (k: unknown) => JSON.stringify(k);
/** Changes a value read (a copy: the dict must not change). */
const scribble = <T>(v: T): T => {
  if (typeof v === 'object' && v !== null && 'n' in v) (v as { n: number[] }).n.push(9);
  return v;
};

async function run(steps: Step[]): Promise<void> {
  const revokes: number[] = [];
  const dict = new LeasedDict(new ManagedDict());
  dict.placed(ID, { revoke: (owner) => revokes.push(owner), othersWrite: () => false });
  const conns = new Map<number, Conn>(OWNERS.map((o) => [o, new Conn(o, dict)]));
  const model = new Map<string, [unknown, unknown]>(); // the plain dict: its keys by value
  const deliver = () => {
    for (const o of revokes.splice(0)) conns.get(o)!.calls.revoked(ID);
  };
  // Settles `p`, delivering revokes whenever it waits (a call may wait for a lease to come back).
  const settle = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const out = p.finally(() => {
      done = true;
    });
    out.catch(() => {}); // a rejection is the caller's to check, once it is returned
    for (let i = 0; i < 50 && !done; i++) {
      await new Promise((r) => setImmediate(r));
      deliver();
    }
    return out;
  };
  for (const step of steps) {
    if (step.t === 'deliver') deliver();
    else if (step.t === 'kill') {
      dict.ownerGone(step.o);
      conns.get(step.o)!.reset();
    } else {
      const c = conns.get(step.o)!;
      for (let i = 0; i < step.n; i++) await apply(c, step.op, model, settle);
    }
  }
}

async function apply(
  c: Conn,
  op: Op,
  model: Map<string, [unknown, unknown]>,
  settle: <T>(p: Promise<T>) => Promise<T>,
): Promise<void> {
  const k = 'k' in op ? KEYS[op.k] : undefined;
  const has = model.has(norm(k));
  const was = model.get(norm(k))?.[1];
  const call = (method: string, ...args: unknown[]) => settle(c.call(method, args));
  switch (op.t) {
    case 'get': {
      const v = await call('get', k);
      expect(v).toEqual(was);
      scribble(v);
      break;
    }
    case 'has':
      expect(await call('has', k)).toBe(has);
      break;
    case 'delete':
      expect(await call('delete', k)).toBe(has);
      model.delete(norm(k));
      break;
    case 'pop':
      expect(await call('pop', k, 'none')).toEqual(has ? was : 'none');
      model.delete(norm(k));
      break;
    case 'set':
      await call('set', k, op.v);
      if (has) model.get(norm(k))![1] = structuredClone(op.v);
      else model.set(norm(k), [k, structuredClone(op.v)]);
      scribble(op.v); // the caller's value after the call: the dict keeps what it was
      break;
    case 'setdefault': {
      const v = await call('setdefault', k, op.v);
      expect(v).toEqual(has ? was : op.v);
      scribble(v);
      if (!has) model.set(norm(k), [k, structuredClone(op.v)]);
      break;
    }
    case 'update': {
      const pairs = structuredClone(op.pairs.map(([i, v]) => [KEYS[i], v]));
      await call('update', pairs);
      for (const [pk, v] of pairs) {
        if (model.has(norm(pk))) model.get(norm(pk))![1] = v;
        else model.set(norm(pk), [pk, v]);
      }
      break;
    }
    case 'clear':
      await call('clear');
      model.clear();
      break;
    case 'keys':
      expect(await call('keys')).toEqual([...model.values()].map(([mk]) => mk));
      break;
    case 'len':
      expect(await call('len')).toBe(model.size);
      break;
    case 'items':
      expect(await call('items')).toEqual([...model.values()]);
      break;
    case 'copy':
      expect(await call('copy')).toEqual(new Map([...model.values()]));
      break;
    case 'byName':
      expect(await settle(c.call('len', [], true))).toBe(model.size);
      // A method the replica does not have: the lease goes back, and the manager refuses it.
      await expect(settle(c.call('nosuch', [], true))).rejects.toThrow(TypeError);
      break;
  }
}

describe('a leased manager dict (model)', () => {
  it('answers every call as a plain dict would, whoever holds the lease', { timeout: 60_000 }, async () => {
    local = 0;
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), run), {
      numRuns: 300,
      seed: 229,
    });
    expect(local).toBeGreaterThan(100); // replicas answered a good share
  });
});
