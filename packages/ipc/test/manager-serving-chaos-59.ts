// Randomized schedules against a manager whose SERVING program dies: another program serves a
// SyncManager (on a Unix socket or loopback TCP, with a key); this program connects, makes a Lock
// (and holds it), a Semaphore with no permit, an Event, a Condition, a Barrier of too many
// parties, a Queue, a dict, a list, a Value and a Namespace, and gives them to 1-4 clients in the
// 'thread' or 'process' context, which call them in a random order (some calls wait forever)
// while this program waits on some of them too; the serving program is killed with SIGKILL at a
// random moment (before the clients even connected, or while they wait). Then it checks: every
// call waiting then, here and in every client, rejects with ManagerClosedError, soon; a call made
// afterwards does too, at once; every client ends; no process is left; and a new manager works
// afterwards (at the same address, and in this program). `managerServingSchedule()` returns what
// broke.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EOFError, ManagerClosedError, Pipe, SyncManager } from '@multiproc/ipc';
import { draws, pause, watchSchedule, within } from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/manager-serving-59-tasks.mjs', import.meta.url).href);
const SERVER = new URL('./fixtures/manager-serving-59-server.mjs', import.meta.url).pathname;

/** A schedule not settled after this long is a hang. */
export const SERVING_SCHEDULE_LIMIT_MS = 60_000;
/** A call waiting when the serving program died must have failed within this long of its death. */
export const SOON_MS = 10_000;

const OPS = [
  'lockWait',
  'lockTimed',
  'lockWaitTimed',
  'evWaitTimed',
  'qGetTimed',
  'semWait',
  'evWait',
  'condWait',
  'barWait',
  'qGet',
  'qPut',
  'dict',
  'list',
  'value',
  'ns',
] as const;
const WAITS = new Set([
  'lockWait',
  'lockWaitTimed',
  'semWait',
  'evWait',
  'evWaitTimed',
  'condWait',
  'barWait',
  'qGet',
  'qGetTimed',
]);

function serve(where: string, authkey: string): { child: ChildProcess; address: Promise<unknown> } {
  // Its own process group, so a test run that ends early cannot leave it behind in ours.
  const child = spawn(process.execPath, [SERVER, where, authkey], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const address = new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (b: Buffer) => {
      text += String(b);
      if (text.includes('\n')) resolve(JSON.parse(text.slice(0, text.indexOf('\n'))));
    });
    child.once('exit', (code, signal) => reject(new Error(`the serving program ended (${code ?? signal})`)));
  });
  return { child, address };
}

/** Runs one schedule; returns what broke the contract (empty when nothing did), and its config. */
export async function managerServingSchedule(
  seed: number,
): Promise<{ faults: string[]; config: Record<string, unknown>; lateMs: number }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const family = pick(['unix', 'tcp'] as const);
  const authkey = `key-${seed}`;
  const nClients = between(1, 4);
  const clients = Array.from({ length: nClients }, () => ({
    context: pick(['thread', 'process'] as const),
    plan: Array.from({ length: between(0, 8) }, () => pick(OPS)),
  }));
  const mainWaits = OPS.filter((op) => WAITS.has(op) && !op.startsWith('lockWait') && random() < 0.4);
  const killAfter = random() < 0.15 ? 0 : between(0, 1500);
  const config = {
    seed,
    family,
    clients: clients.map((c) => `${c.context}:${c.plan.join('+')}`),
    mainWaits,
    killAfter,
  };
  const dir = mkdtempSync(join(tmpdir(), 'mp-serving59-'));
  const where = family === 'unix' ? `unix:${join(dir, 's')}` : 'tcp';
  const watch = watchSchedule();
  const pids = new Set<number>();
  const started: any[] = [];
  let lateMs = 0;
  const server = serve(where, authkey);
  if (server.child.pid !== undefined) pids.add(server.child.pid);
  const [reports, reportEnd] = Pipe<[number, string, string, number, number]>({ duplex: false });
  try {
    const address = await within(server.address, 30_000, 'serving program start');
    const m = new SyncManager({ address: address as string, authkey });
    await within(m.connect(), 20_000, 'connect');
    const objs = {
      lock: m.Lock(),
      sem: m.Semaphore(0),
      ev: m.Event(),
      cond: m.Condition(),
      bar: m.Barrier(99),
      q: m.Queue(),
      d: m.dict<string, number>(),
      l: m.list<number>(),
      v: m.Value('i', 0),
      ns: m.Namespace(),
    };
    // Made in the server before they are sent (a proxy of an object still being made is refused).
    await within(
      Promise.all([
        objs.lock.acquire(),
        objs.sem.getValue(),
        objs.ev.isSet(),
        objs.cond.acquire().then(() => objs.cond.release()),
        objs.bar.state(),
        objs.q.qsize(),
        objs.d.len(),
        objs.l.len(),
        objs.v.get(),
        objs.ns.get('x').catch(() => {}),
      ]),
      20_000,
      'objects made',
    );
    const records: [number, string, string, number, number][] = [];
    const reading = (async () => {
      for (;;) {
        const r = await reports.recv().catch((e: unknown) => e);
        if (r instanceof EOFError) return;
        if (r instanceof Error) throw r;
        records.push(r as [number, string, string, number, number]);
      }
    })();
    for (const [w, c] of clients.entries()) {
      const p = new core.Process({
        target: tasks.client,
        args: [w, objs, c.plan, reportEnd],
        context: c.context,
      });
      p.start();
      started.push(p);
      if (c.context === 'process') pids.add(p.pid);
    }
    reportEnd.close();
    const mainCalls = mainWaits.map((op) => {
      const t0 = Date.now();
      const calls: Record<string, () => Promise<unknown>> = {
        semWait: () => objs.sem.acquire(),
        evWait: () => objs.ev.wait(),
        evWaitTimed: () => objs.ev.wait(30_000),
        condWait: () => objs.cond.acquire().then(() => objs.cond.wait()),
        barWait: () => objs.bar.wait(),
        qGet: () => objs.q.get(),
        qGetTimed: () => objs.q.get({ timeout: 30_000 }),
      };
      const call = calls[op]!();
      return (call as Promise<unknown>).then(
        () => [-1, op, 'ok', t0, Date.now()] as const,
        (e: Error) => [-1, op, e?.name ?? String(e), t0, Date.now()] as const,
      );
    });
    if (killAfter > 0) await pause(killAfter);
    const killedAt = Date.now();
    process.kill(server.child.pid!, 'SIGKILL');
    const main = await within(Promise.all(mainCalls), SERVING_SCHEDULE_LIMIT_MS, 'main waits');
    records.push(...(main as unknown as [number, string, string, number, number][]));
    const t1 = Date.now();
    const after = await within(
      objs.d.get('x').then(
        () => 'ok',
        (e: Error) => (e instanceof ManagerClosedError ? 'ManagerClosedError' : `${e?.name}: ${e?.message}`),
      ),
      SERVING_SCHEDULE_LIMIT_MS,
      'a call after the death',
    );
    if (after !== 'ManagerClosedError') faults.push(`main: a call after the death gave ${after}`);
    if (Date.now() - t1 > SOON_MS) faults.push(`main: a call after the death took ${Date.now() - t1} ms`);
    await within(Promise.all(started.map((p) => p.join())), SERVING_SCHEDULE_LIMIT_MS, 'clients join');
    await within(reading, SERVING_SCHEDULE_LIMIT_MS, 'reports EOF');
    for (const [w, p] of started.entries())
      if (p.exitCode !== 0) faults.push(`client ${w} (${config.clients[w]}) ended with ${p.exitCode}`);
    for (const [w, op, outcome, t0, t] of records) {
      const who = w === -1 ? 'main' : `client ${w}`;
      if (outcome === 'ok') {
        if (WAITS.has(op) && !op.startsWith('qGet')) faults.push(`${who}: ${op} ended ok`);
        continue;
      }
      if (outcome !== 'ManagerClosedError') faults.push(`${who}: ${op} failed with ${outcome}`);
      else if (t0 < killedAt && t - killedAt > SOON_MS)
        faults.push(`${who}: ${op} failed ${t - killedAt} ms after the death`);
      if (t0 < killedAt) lateMs = Math.max(lateMs, t - killedAt);
    }
    for (const w of clients.keys()) {
      const mine = records.filter((r) => r[0] === w);
      if (mine.at(-1)?.[1] !== 'after' && started[w]?.exitCode === 0)
        faults.push(`client ${w}: its last report is ${JSON.stringify(mine.at(-1))}`);
    }
    await within(m.shutdown(), 20_000, 'the client manager shutdown').catch((e: Error) =>
      faults.push(e.message),
    );
    // A new manager works: here, and served at the same address. The dead program's socket file
    // is left at a Unix path the user chose, which refuses the bind as Python's (EADDRINUSE):
    // removed first, as a Python user would.
    if (family === 'unix') rmSync(where.slice('unix:'.length), { force: true });
    const again = serve(where, authkey);
    if (again.child.pid !== undefined) pids.add(again.child.pid);
    try {
      const m2 = new SyncManager({
        address: (await within(again.address, 30_000, 'restart')) as string,
        authkey,
      });
      await within(m2.connect(), 20_000, 'connect again');
      const lock2 = m2.Lock();
      if (!(await within(lock2.acquire({ timeout: 5000 }), 20_000, 'new lock')))
        faults.push('new lock not taken');
      await m2.shutdown();
    } finally {
      again.child.kill('SIGKILL');
    }
    const here = await SyncManager.start();
    const d = here.dict<string, number>();
    await d.set('a', 1);
    if ((await d.get('a')) !== 1) faults.push('a manager here does not work afterwards');
    await here.shutdown();
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    try {
      process.kill(server.child.pid!, 'SIGKILL');
    } catch {}
    for (const p of started) if (p.isAlive()) p.kill();
    reports.close();
  }
  for (const p of started) await p.join(10_000).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  const tagged = await watch.end(faults, config, { pids, tries: 150, activeChildren: core.activeChildren });
  return { faults: tagged, config, lateMs };
}
