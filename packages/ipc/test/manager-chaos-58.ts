// Randomized schedules against a manager's promises when its clients die: 1-4 clients in the
// 'thread' or 'process' context (and sometimes this thread) take the manager's Lock in turn and
// update a dict, a list, a Value and a Namespace under it; each ends by returning, by
// process.exit() or a throw (holding the lock or not), or by SIGKILL from outside at a random
// moment (holding the lock, a leased lock, or waiting for it). Then it checks: no two held the lock
// at once; the lock is free at the end (the manager releases what a failed client held); each
// client's rounds are in the list, in order, the complete ones once; the Value and the
// Namespace's count equal the rounds done; exit codes; no worker left; nothing hangs.
import { Manager } from '@multiproc/ipc';
import { draws, watchSchedule, within } from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks, client } = await import(
  new URL('./fixtures/manager-chaos-58-tasks.mjs', import.meta.url).href
);

type Context = 'thread' | 'process';
type Fate =
  | { kind: 'return' }
  | { kind: 'exit'; at: number; inside: boolean; code: number }
  | { kind: 'throw'; at: number; inside: boolean }
  | { kind: 'hang'; killAfter: number };

export const MANAGER_SCHEDULE_LIMIT_MS = 60_000;

/** Runs one schedule; returns what broke the contract (empty when nothing did). */
export async function managerSchedule(seed: number): Promise<{ faults: string[]; config: unknown }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const n = between(1, 4);
  const clients: { context: Context | 'main'; rounds: number; fate: Fate; pauses: number[] }[] = [];
  for (let c = 0; c < n; c++) {
    const rounds = between(1, 12);
    const r = random();
    const at = between(0, rounds - 1);
    const inside = random() < 0.5;
    const context: Context | 'main' =
      c === 0 && random() < 0.3 ? 'main' : pick(['thread', 'process'] as const);
    const fate: Fate =
      context === 'main' || r < 0.35
        ? { kind: 'return' }
        : r < 0.55
          ? { kind: 'exit', at, inside, code: pick([1, 3]) }
          : r < 0.75
            ? { kind: 'throw', at, inside }
            : { kind: 'hang', killAfter: between(0, 600) };
    const pauses = Array.from({ length: rounds }, () => (random() < 0.5 ? 0 : between(0, 15)));
    clients.push({ context, rounds, fate, pauses });
  }
  const config = {
    seed,
    clients: clients.map(
      (c) =>
        `${c.context}:${c.fate.kind}${'at' in c.fate ? `@${c.fate.at}${c.fate.inside ? 'in' : ''}` : ''}${c.fate.kind === 'hang' ? `+${c.fate.killAfter}ms` : ''}:${c.rounds}`,
    ),
  };
  const m = await Manager.start();
  const lock = m.Lock();
  const d = m.dict<string, number>();
  const list = m.list<unknown[]>();
  const value = m.Value('i', 0);
  const ns = m.Namespace({ count: 0 });
  const pids = new Set<number>();
  const started: { c: number; p: any; fate: Fate; killed?: boolean }[] = [];
  const killers: NodeJS.Timeout[] = [];
  const watch = watchSchedule();
  const runs: Promise<unknown>[] = [];
  try {
    for (const [c, cl] of clients.entries()) {
      const args = [c, lock, d, list, value, ns, cl.rounds, cl.fate, cl.pauses];
      if (cl.context === 'main') {
        runs.push(client(...args));
        continue;
      }
      const p = new core.Process({ target: tasks.client, args, context: cl.context });
      p.start();
      if (cl.context === 'process') pids.add(p.pid);
      const entry = { c, p, fate: cl.fate } as { c: number; p: any; fate: Fate; killed?: boolean };
      started.push(entry);
      const fate = cl.fate;
      if (fate.kind === 'hang')
        killers.push(
          setTimeout(() => {
            entry.killed = true;
            if (cl.context === 'process') {
              try {
                process.kill(p.pid, 'SIGKILL');
              } catch {}
            } else p.kill();
          }, fate.killAfter),
        );
      runs.push(p.join());
    }
    await within(Promise.all(runs), MANAGER_SCHEDULE_LIMIT_MS, 'clients');
    // Every client failed or returned without the lock: it must be free (or freed soon).
    const free = await within(lock.acquire({ timeout: 10_000 }), 20_000, 'final acquire');
    if (!free) faults.push('the lock is still held after every client ended');
    else await lock.release();
    const entries = (await list.copy()) as unknown[][];
    const overlaps = entries.filter((e) => e[0] === 'overlap');
    for (const o of overlaps)
      faults.push(`client ${o[1]} round ${o[2]} saw holder ${o[3]}: two held the lock`);
    const rounds = entries.filter((e) => e[0] !== 'overlap') as number[][];
    for (const [c, cl] of clients.entries()) {
      const mine = rounds.filter((e) => e[0] === c).map((e) => e[1]!);
      const fate = cl.fate;
      const want =
        fate.kind === 'return'
          ? cl.rounds
          : fate.kind === 'hang'
            ? undefined
            : fate.at + (fate.inside ? 1 : 0);
      const ok =
        mine.every((k, i) => k === i) &&
        (want === undefined ? mine.length <= cl.rounds : mine.length === want);
      if (!ok) faults.push(`client ${c} (${config.clients[c]}) rounds in the list: ${mine.join(',')}`);
    }
    const total = (await value.get()) as number;
    const count = (await ns.get('count')) as number;
    // A killed client may die between its append and its increments: at most one round short each.
    const killedN = clients.filter((c) => c.fate.kind === 'hang').length;
    if (total > rounds.length || total < rounds.length - killedN)
      faults.push(`Value ${total} for ${rounds.length} rounds`);
    if (count > rounds.length || count < rounds.length - killedN)
      faults.push(`Namespace count ${count} for ${rounds.length} rounds`);
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    for (const k of killers) clearTimeout(k);
    for (const s of started) if (s.p.isAlive()) s.p.kill();
  }
  for (const s of started) {
    await s.p.join(10_000).catch(() => {});
    const want =
      s.fate.kind === 'exit' ? s.fate.code : s.fate.kind === 'throw' ? 1 : s.fate.kind === 'hang' ? -9 : 0;
    if (s.p.exitCode !== want && !(s.killed && s.p.exitCode === -9))
      faults.push(`client ${s.c} (${config.clients[s.c]}) ended with ${s.p.exitCode}`);
  }
  await within(m.shutdown(), 20_000, 'shutdown').catch((e: Error) => faults.push(e.message));
  const tagged = await watch.end(faults, config, { pids, tries: 100 });
  return { faults: tagged, config };
}
