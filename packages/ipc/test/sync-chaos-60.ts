// Randomized schedules of synchronization primitives whose holders die (CONTRACT, Shared memory;
// the owner-death recovery of shared's owner.ts and the manager's, DESIGN.md "Manager RPC in short"):
// one Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier or Value with its lock,
// on shared memory with 2-5 worker-thread parties, or a manager's proxy with parties in threads and
// processes. Each party runs its rounds (take and give back the primitive, in shared memory
// sometimes with the blocking acquireSync/waitSync, wait on it with a random
// timeout or none, notify, set and clear, pass the barrier) and ends by returning, throwing or
// process.exit(code) at a random round (holding the primitive or not), or is killed (SIGKILL,
// kill() or terminate()) at a random moment. Then it checks: no two held a Lock (nor more than n a
// Semaphore) at once; a wait that timed out did not end early; a party that returned did all its
// rounds (a Barrier's may end with BrokenBarrierError once a party failed or a wait timed out, and
// only then); a Barrier's arrival indexes are distinct in a cycle; once every party ended, the
// primitive is free (what a failed party held was given back: a Semaphore has its initial value)
// and a Condition's or Event's last waiters wake once this program sets the flag (a Condition's
// by notify(n) for exactly the n live waiters); a Value counts
// the rounds done (each killed party at most one more); exit codes; nothing hangs; no process
// left. `syncSchedule()` returns what broke.
import { Manager, Queue } from '@multiproc/ipc';
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  RawArray,
  RLock,
  Semaphore,
  Value,
} from '@multiproc/shared';
import {
  draws,
  type OutsideEnd,
  pause,
  stopLater,
  watchSchedule,
  within,
} from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/sync-chaos-60-tasks.mjs', import.meta.url).href);

/** A schedule not settled after this long is a hang. */
export const SYNC_SCHEDULE_LIMIT_MS = 60_000;

/** Kinds whose rounds take and give back the primitive. */
const HELD_KINDS: ReadonlySet<string> = new Set(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Value']);
const KINDS = [
  'Lock',
  'RLock',
  'Semaphore',
  'BoundedSemaphore',
  'Condition',
  'Event',
  'Barrier',
  'Value',
] as const;
type Kind = (typeof KINDS)[number];
type Fate =
  | { kind: 'return'; at: number; inside: boolean }
  | { kind: 'throw' | 'exit'; at: number; inside: boolean; code: number }
  | { kind: 'hang'; at: number; inside: boolean; end: OutsideEnd; after: number };

/** Runs one schedule; returns what broke the contract (empty when nothing did), and its config. */
export async function syncSchedule(
  seed: number,
): Promise<{ faults: string[]; config: Record<string, unknown> }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const kind: Kind = pick(KINDS);
  const backing = pick(['shared', 'shared', 'manager'] as const);
  const n = between(2, 5);
  const cap = kind === 'Semaphore' || kind === 'BoundedSemaphore' ? between(1, 3) : 1;
  const rounds = between(1, 10); // the same for every party: a Barrier's cycles line up
  const barrierTimeouts = random() < 0.5;
  const parties = Array.from({ length: n }, () => {
    const context = backing === 'shared' ? 'thread' : pick(['thread', 'process'] as const);
    const r = random();
    const at = between(0, rounds);
    const inside = random() < 0.5;
    const fate: Fate =
      r < 0.45
        ? { kind: 'return', at: -1, inside: false }
        : r < 0.6
          ? { kind: 'throw', at, inside, code: 1 }
          : r < 0.75
            ? { kind: 'exit', at, inside, code: pick([1, 3]) }
            : r < 0.8 && HELD_KINDS.has(kind)
              ? // Ends normally holding it: a Lock and semaphore permits stay taken (as in Python).
                { kind: 'exit', at: between(0, rounds - 1), inside: true, code: 0 }
              : {
                  kind: 'hang',
                  at: -1,
                  inside: false,
                  end:
                    context === 'process'
                      ? pick(['kill', 'sigkill', 'terminate'] as const)
                      : pick(['kill', 'terminate'] as const),
                  after: between(0, 800),
                };
    const pauses = Array.from({ length: rounds }, () => (random() < 0.4 ? 0 : between(0, 25)));
    const timeouts = Array.from({ length: rounds }, () =>
      kind === 'Barrier' && !barrierTimeouts ? -1 : random() < 0.5 ? -1 : between(0, 200),
    );
    // Shared memory: sometimes the blocking forms (acquireSync, waitSync) in the party's thread.
    const sync = backing === 'shared' && random() < 0.5;
    return { context, fate, plan: { rounds, pauses, timeouts, fate, cap, backing, sync } };
  });
  const config = {
    seed,
    kind,
    backing,
    cap,
    rounds,
    parties: parties.map(
      (p) =>
        `${p.context}${p.plan.sync ? '(sync)' : ''}:${p.fate.kind}${p.fate.kind === 'exit' ? p.fate.code : ''}${p.fate.at >= 0 ? `@${p.fate.at}${p.fate.inside ? 'in' : ''}` : ''}${'end' in p.fate ? `:${p.fate.end}+${p.fate.after}` : ''}`,
    ),
  };
  const watch = watchSchedule();
  const pids = new Set<number>();
  const procs: any[] = [];
  const timers: NodeJS.Timeout[] = [];
  const report = new Queue<unknown[]>();
  const reports: unknown[][] = [];
  const manager = backing === 'manager' ? await Manager.start() : null;
  let obj: any;
  let lock: any;
  const inside = backing === 'shared' ? new RawArray('i', 1) : null;
  const flag: any = manager ? manager.Value('i', 0) : new RawArray('i', 1);
  const make = (name: Kind): any => {
    if (manager) {
      switch (name) {
        case 'Semaphore':
        case 'BoundedSemaphore':
          return manager[name](cap);
        case 'Barrier':
          return manager.Barrier(n);
        case 'Value':
          return manager.Value('i', 0);
        default:
          return manager[name]();
      }
    }
    switch (name) {
      case 'Lock':
        return new Lock();
      case 'RLock':
        return new RLock();
      case 'Semaphore':
        return new Semaphore(cap);
      case 'BoundedSemaphore':
        return new BoundedSemaphore(cap);
      case 'Condition':
        return new Condition();
      case 'Event':
        return new Event();
      case 'Barrier':
        return new Barrier(n);
      case 'Value':
        return new Value('i', 0);
    }
  };
  obj = make(kind);
  lock = kind === 'Value' ? (manager ? manager.Lock() : obj.getLock()) : obj;
  const killed = new Set<number>();
  // A party that ended normally (exit code 0) holding a Lock or permits keeps them, as in Python:
  // this program gives them back for it (any thread may release a Lock or a Semaphore). A release
  // the library refuses (LockError: not held, past the initial value) means it gave them back itself.
  // An RLock is given back by the library (only its owner could release it).
  const keptByNormalEnd = async (i: number) => {
    // Its report of holding was put before its end: it arrives (none when it did not hold).
    const holding = () => reports.some((m) => m[0] === 'holding' && m[1] === i);
    for (let t = 0; t < 100 && !holding(); t++) await pause(20);
    if (!holding()) return;
    if (kind === 'RLock') return;
    try {
      if (kind === 'Lock' || kind === 'Value') {
        if (!(await lock.locked()))
          faults.push(`party ${i} ended normally holding the ${kind}'s lock, and it is free`);
      }
      await lock.release();
    } catch (e) {
      faults.push(
        `releasing what party ${i} kept at its normal end: ${(e as Error).name}: ${(e as Error).message}`,
      );
    }
  };
  let flagAt = 0;
  const ended: number[] = [];
  try {
    const joins: Promise<void>[] = [];
    for (const [i, party] of parties.entries()) {
      const p = new core.Process({
        target: tasks.party,
        args: [i, kind, obj, lock, inside, flag, report, party.plan],
        context: party.context,
      });
      p.start();
      if (party.context === 'process') pids.add(p.pid);
      procs.push(p);
      joins.push(
        p.join().then(async () => {
          ended[i] = performance.now();
          if (party.fate.kind === 'exit' && party.fate.code === 0) await keptByNormalEnd(i);
        }),
      );
      const fate = party.fate;
      if (fate.kind === 'hang') timers.push(stopLater(p, fate.end, fate.after, () => killed.add(i)));
    }
    // Every party but those that wait for the flag at the end (Condition, Event) ends by itself.
    const lastWaits = kind === 'Condition' || kind === 'Event';
    const collect = (async () => {
      for (;;) {
        const m = await report.get({ timeout: 50 }).catch(() => null);
        if (m) reports.push(m);
        else if (procs.every((p) => !p.isAlive())) {
          for (;;) {
            const more = await report.get({ timeout: 200 }).catch(() => null);
            if (!more) return;
            reports.push(more);
          }
        }
      }
    })();
    if (lastWaits) {
      // Once every party that does not wait last ended, or waits last: set the flag.
      const waitingLast = () =>
        parties.every(
          (_, i) =>
            !procs[i].isAlive() ||
            reports.some((m) => m[0] === 'r' && m[1] === i && m[2] === rounds - 1) ||
            rounds === 0,
        );
      const t0 = performance.now();
      while (!waitingLast() && performance.now() - t0 < SYNC_SCHEDULE_LIMIT_MS) await pause(10);
      // A hang party is killed on its timer: wait for those too, so no kill comes after the flag.
      await within(
        Promise.all(parties.map((p, i) => (p.fate.kind === 'hang' ? joins[i] : null))),
        SYNC_SCHEDULE_LIMIT_MS,
        'killed parties',
      );
      flagAt = performance.now();
      if (manager) await flag.set(1);
      else flag.set(0, 1);
      if (kind === 'Condition') {
        await within(obj.acquire(), 20_000, 'the condition after every party ended');
        // notify(n) for exactly the parties that wait last: a dead waiter still counted would
        // take a wake-up, and a live one would sleep on (its wait is 60 s, past the bound).
        await obj.notify(parties.filter((p) => p.fate.kind === 'return').length || 1);
        await obj.release();
      } else await obj.set();
    }
    if (kind === 'Barrier' && parties.some((p) => p.fate.kind !== 'return')) {
      // A party that failed before it reached the barrier leaves the others waiting for it (as in
      // Python): no cycle can complete without it. Once the first failing party ended, this
      // program breaks the barrier, as one would.
      await within(
        Promise.race(parties.flatMap((p, i) => (p.fate.kind === 'return' ? [] : [joins[i]!]))),
        SYNC_SCHEDULE_LIMIT_MS,
        'the first failing party',
      );
      await pause(300);
      await obj.abort();
    }
    await within(Promise.all(joins), SYNC_SCHEDULE_LIMIT_MS, () => {
      const open = procs.flatMap((p, i) => (p.isAlive() ? [config.parties[i]] : []));
      return `parties still running: ${open.join(' ')}; reports ${JSON.stringify(reports.slice(-8))}`;
    });
    await within(collect, 20_000, 'reports');
    // The primitive once every party ended: free, with what failed parties held given back.
    if (kind === 'Lock' || kind === 'RLock' || kind === 'Value' || kind === 'Condition') {
      const what = kind === 'Condition' ? obj : lock;
      if (!(await within(what.acquire({ timeout: 10_000 }), 20_000, 'the last acquire')))
        faults.push(`${kind} still held once every party ended`);
      else await what.release();
    }
    if (kind === 'Semaphore' || kind === 'BoundedSemaphore') {
      const v = await obj.getValue();
      if (v !== cap) faults.push(`${kind}(${cap}) has value ${v} once every party ended`);
    }
    if (kind === 'Value') {
      const v = manager ? await obj.get() : obj.value;
      const done = reports.filter((m) => m[0] === 'r').length;
      const failed = parties.filter((p) => p.fate.kind !== 'return').length;
      // A round counts once its report arrived; a party that died in its round may have counted it.
      if (v < done || v > done + failed)
        faults.push(`Value is ${v} for ${done} rounds done (${failed} parties failed)`);
    }
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const p of procs) if (p.isAlive()) p.kill();
  }
  // What the parties reported.
  const failedAny = parties.some((p) => p.fate.kind !== 'return');
  for (const m of reports) {
    const [what, i, k] = m as [string, number, number];
    if (what === 'overlap') faults.push(`party ${i} round ${k}: ${m[3]} held at once (cap ${cap})`);
    if (what === 'to' || what === 'w') {
      const [took, timeout] = what === 'to' ? [m[3], m[4]] : [m[4], m[5]];
      const result = what === 'to' ? false : m[3];
      if (result === false && (took as number) < (timeout as number) - 1)
        faults.push(
          `party ${i} round ${k}: ${what === 'to' ? 'acquire' : 'wait'}(${timeout}) timed out after ${(took as number).toFixed(1)} ms`,
        );
    }
  }
  if (kind === 'Barrier') {
    const cycles = new Map<number, number[]>();
    for (const m of reports)
      if (m[0] === 'b') cycles.set(m[2] as number, [...(cycles.get(m[2] as number) ?? []), m[3] as number]);
    for (const [k, idx] of cycles)
      if (new Set(idx).size !== idx.length || idx.some((x) => x < 0 || x >= n))
        faults.push(`barrier cycle ${k}: indexes ${idx.join(',')}`);
    const broken = reports.some((m) => m[0] === 'broken');
    const timedOut = parties.some((p) => p.plan.timeouts.some((t) => t >= 0));
    if (broken && !failedAny && !timedOut)
      faults.push('the barrier broke with no party failed and no timeout');
    for (const m of reports)
      if (m[0] === 'broken' && m[3] !== 'BrokenBarrierError')
        faults.push(`party ${m[1]}: a barrier wait failed with ${m[3]}`);
  }
  for (const [i, party] of parties.entries()) {
    const p = procs[i];
    if (!p) continue;
    await p.join(10_000).catch(() => {});
    const fate = party.fate;
    const want =
      fate.kind === 'return'
        ? 0
        : fate.kind === 'hang'
          ? fate.end === 'terminate'
            ? [-15, -9]
            : -9
          : fate.code;
    if (!(Array.isArray(want) ? want.includes(p.exitCode) : p.exitCode === want))
      faults.push(`party ${i} (${config.parties[i]}) ended with ${p.exitCode}`);
    if (fate.kind === 'return') {
      const mine = reports.filter((m) => (m[0] === 'r' || m[0] === 'to') && m[1] === i).length;
      const broke = reports.some((m) => m[0] === 'broken' && m[1] === i);
      if (mine !== rounds && !broke)
        faults.push(`party ${i} (${config.parties[i]}) did ${mine} of ${rounds} rounds`);
      if ((kind === 'Condition' || kind === 'Event') && !reports.some((m) => m[0] === 'end' && m[1] === i))
        faults.push(`party ${i} never woke for the flag`);
      if (flagAt > 0 && ended[i] !== undefined && ended[i]! - flagAt > 15_000)
        faults.push(`party ${i} woke ${(ended[i]! - flagAt).toFixed(0)} ms after the flag was set`);
    }
  }
  report.close();
  await manager?.shutdown();
  const tagged = await watch.end(faults, config, { pids, tries: 150, activeChildren: core.activeChildren });
  return { faults: tagged, config };
}
