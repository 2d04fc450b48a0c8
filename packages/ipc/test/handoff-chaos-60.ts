// Randomized schedules of a conversation's server end handed to a worker mid-exchange (CONTRACT,
// IPC: connections passed as `args`, each side's close() its own; Python's multiprocessing.connection
// with a duplicated handle): 1-4 conversations, each over a Listener's accepted Connection (Unix or
// TCP, with a key or none) or a Pipe(). This program is the client: it sends messages of random
// kinds and sizes (tiny to past 64 KiB), up to `ahead` of them before their echoes came. It serves
// the first `at` messages itself, then starts a worker thread or child Process with the server end
// as an argument (messages it has not read still on their way), and closes its own copy at once or
// a random time later. The worker echoes the rest and returns, calls process.exit() between
// messages, or is killed with SIGKILL / kill() a random moment after it took a message (its echo
// maybe half sent). Then it checks: the echoes that arrived are a prefix of the messages, in order,
// each intact, all of them when the worker returned and up to its exit when it exited; after the
// last echo, recv() rejects with EOFError (once both copies are closed or gone), nothing else;
// exit codes; nothing hangs; no process is left. `handoffSchedule()` returns what broke.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Connection, Listener, Pipe } from '@multiproc/ipc';
import { draws, pause, watchSchedule, within } from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks, message, same, SERVE } = await import(
  new URL('./fixtures/handoff-chaos-60-tasks.mjs', import.meta.url).href
);

/** A schedule not settled after this long is a hang. */
export const HANDOFF_SCHEDULE_LIMIT_MS = 60_000;

type Kind = 'obj' | 'str' | 'bytes' | 'f64' | 'nested';
type Fate =
  | { kind: 'return' }
  | { kind: 'exit'; at: number }
  | { kind: 'hang'; at: number; killAfter: number; how: 'sigkill' | 'kill' };

/** Runs one schedule; returns what broke the contract (empty when nothing did), and its config. */
export async function handoffSchedule(
  seed: number,
): Promise<{ faults: string[]; config: Record<string, unknown> }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const over = pick(['unix', 'tcp', 'pipe', 'pipe'] as const);
  const key = over !== 'pipe' && random() < 0.6 ? `secret ${seed}` : null;
  const talks = Array.from({ length: between(1, 4) }, () => {
    // Or this program keeps its copy and, once the worker ended, serves the rest itself (values
    // only: it tells a message by its content).
    const resume = random() < 0.3;
    const n = between(1, 12);
    const plan = Array.from({ length: n }, (): [Kind, number] => [
      pick(
        resume
          ? (['obj', 'str', 'f64', 'nested'] as const)
          : (['obj', 'str', 'bytes', 'bytes', 'f64', 'nested'] as const),
      ),
      random() < 0.8 ? between(0, 3000) : between(60_000, 600_000),
    ]);
    const at = between(0, n); // messages this program serves before the handoff
    const ahead = between(1, 4);
    const context = pick(['thread', 'process'] as const);
    const r = random();
    const fate: Fate =
      r < 0.5
        ? { kind: 'return' }
        : r < 0.7
          ? { kind: 'exit', at: between(at, n) }
          : {
              kind: 'hang',
              at: between(at, n),
              killAfter: between(0, 400),
              how: context === 'process' ? pick(['sigkill', 'kill'] as const) : 'kill',
            };
    const closeAfter = random() < 0.6 ? 0 : between(1, 300);
    return {
      plan,
      at,
      ahead,
      context,
      fate: resume && fate.kind === 'return' ? ({ kind: 'exit', at: n } as Fate) : fate,
      closeAfter,
      resume,
    };
  });
  const config = {
    seed,
    over,
    key: key !== null,
    talks: talks.map(
      (t) =>
        `${t.context}:${t.plan.length}@${t.at}+${t.ahead}:${t.fate.kind}${'at' in t.fate ? `@${t.fate.at}` : ''}${'killAfter' in t.fate ? `+${t.fate.killAfter}:${t.fate.how}` : ''}:${t.resume ? 'resume' : `close+${t.closeAfter}`}`,
    ),
  };
  const watch = watchSchedule();
  const pids = new Set<number>();
  const procs: any[] = [];
  const timers: NodeJS.Timeout[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mp-handoff60-'));
  const listener =
    over === 'pipe'
      ? null
      : new Listener(
          over === 'tcp' ? ['127.0.0.1', 0] : join(dir, 'l'),
          key === null ? {} : { authkey: key },
        );
  const ends: Connection[] = [];
  const echoes: number[][] = talks.map(() => []);
  const lastErrors: string[] = talks.map(() => 'none');
  const sendErrors: (string | undefined)[] = talks.map(() => undefined);
  const sentCount: number[] = talks.map(() => 0);
  const resumed: Promise<void>[] = [];
  try {
    const address = listener ? await within(listener.ready(), 20_000, 'listener ready') : null;
    const runs = talks.map(async (t, id) => {
      let client: Connection;
      let server: Connection;
      if (listener) {
        const accepted = listener.accept();
        client = await Client(address as never, key === null ? {} : { authkey: key });
        server = await accepted;
      } else [client, server] = Pipe();
      ends.push(client, server);
      const send = (k: number) => {
        const [kind, size] = t.plan[k]!;
        const v = message(kind, size, id, k);
        if (kind === 'bytes') client.sendBytes(v);
        else client.send(v);
      };
      let sent = 0;
      let clientDone = false;
      // A send after the worker ended and this program closed its copy may throw BrokenPipeError.
      const sendUpTo = (k: number) => {
        try {
          while (sent < Math.min(k, t.plan.length) && sendErrors[id] === undefined) send(sent++);
        } catch (e) {
          sendErrors[id] = (e as Error).name;
        }
      };
      sendUpTo(t.ahead);
      /** The message `v` is, from `k` on (-1: none). */
      const which = (v: unknown, k: number) => {
        for (let j = k; j < t.plan.length; j++) if (same(v, t.plan[j]![0], t.plan[j]![1], id, j)) return j;
        return -1;
      };
      /** Resumed: this program serves what the worker did not take, then closes its copy. */
      const serveRest = async () => {
        let from = t.at;
        for (;;) {
          // Up to 5 s for the next message, unless the client already has every echo.
          let ready = false;
          for (let w = 0; w < 50 && !ready && !clientDone; w++) ready = await server.poll(100);
          if (!ready) break;
          const v = await server.recv().catch((e: Error) => e);
          if (v instanceof Error) break;
          const k = which(v, from);
          if (k < 0)
            faults.push(
              `talk ${id}: after the worker ended, this copy got ${JSON.stringify(v)?.slice(0, 80)}`,
            );
          else from = k + 1;
          server.send(v);
          if (k === t.plan.length - 1) break;
        }
        server.close();
      };
      // This program serves the first `at` messages itself.
      const serving = (async () => {
        for (let k = 0; k < t.at; k++) {
          const [kind] = t.plan[k]!;
          const v = kind === 'bytes' ? await server.recvBytes() : await server.recv();
          if (kind === 'bytes') server.sendBytes(v as Uint8Array);
          else server.send(v);
        }
        const p = new core.Process({
          target: tasks.serve,
          args: [server, id, t.at, t.plan, t.fate],
          context: t.context,
        });
        p.start();
        if (t.context === 'process') pids.add(p.pid);
        procs[id] = p;
        const fate = t.fate;
        if (fate.kind === 'hang')
          timers.push(
            setTimeout(() => {
              if (!p.isAlive()) return;
              if (fate.how === 'sigkill') {
                try {
                  process.kill(p.pid, 'SIGKILL');
                } catch {}
              } else p.kill();
            }, fate.killAfter),
          );
        const close = () => server.close();
        if (t.resume) resumed[id] = p.join().then(serveRest, serveRest);
        else if (t.closeAfter === 0) close();
        else timers.push(setTimeout(close, t.closeAfter));
        return p;
      })();
      // The client: each echo, in order, intact; then EOFError.
      for (let k = 0; k < t.plan.length; k++) {
        const [kind, size] = t.plan[k]!;
        const back = await (kind === 'bytes' ? client.recvBytes() : client.recv()).catch((e: Error) => e);
        if (back instanceof Error) {
          lastErrors[id] = back.name;
          break;
        }
        // Resumed, a message the worker took with it is skipped.
        const j = t.resume ? which(back, k) : same(back, kind, size, id, k) ? k : -1;
        if (j < 0) faults.push(`talk ${id}: echo ${k} (${kind}, ${size}) arrived wrong`);
        else k = j;
        echoes[id]!.push(k);
        sendUpTo(k + 1 + t.ahead);
      }
      sentCount[id] = sent;
      clientDone = true;
      await resumed[id];
      const p = await serving;
      if (lastErrors[id] === 'none') {
        const more = await client.recv().then(
          (v) => `a value past the plan: ${JSON.stringify(v)?.slice(0, 80)}`,
          (e: Error) => e.name,
        );
        lastErrors[id] = more;
      }
      await p.join();
      client.close();
    });
    await within(Promise.all(runs), HANDOFF_SCHEDULE_LIMIT_MS, () => {
      return `talks did not end: echoes ${JSON.stringify(echoes.map((e) => e.length))}, alive ${procs.map((p) => p?.isAlive())}`;
    });
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const p of procs) if (p?.isAlive()) p.kill();
    listener?.close();
    for (const e of ends)
      try {
        e.close();
      } catch {}
  }
  for (const [id, t] of talks.entries()) {
    const p = procs[id];
    const tag = `talk ${id} (${config.talks[id]})`;
    if (p) await p.join(10_000).catch(() => {});
    const fate = t.fate;
    const got = echoes[id]!;
    if (got.some((k, i) => k !== i)) faults.push(`${tag}: echoes out of order ${got.join(',')}`);
    // Resumed: what the client sent and got no echo of went with the dead worker. One that
    // exited between two receives took none; one killed, at most the message it was receiving.
    const lost = sentCount[id]! - got.length;
    if (t.resume && lost > (fate.kind === 'hang' ? 1 : 0))
      faults.push(
        `${tag}: ${lost} of ${sentCount[id]} messages sent got no echo once this program served the rest`,
      );
    const want = fate.kind === 'return' ? t.plan.length : fate.kind === 'exit' ? fate.at : undefined;
    if (!t.resume && want !== undefined && got.length !== want)
      faults.push(`${tag}: ${got.length} echoes, not ${want}`);
    if (!t.resume && fate.kind === 'hang' && (got.length < t.at || got.length > fate.at + 1))
      faults.push(`${tag}: ${got.length} echoes for a worker killed after message ${fate.at}`);
    const sendError = sendErrors[id];
    if (sendError !== undefined && (fate.kind === 'return' || sendError !== 'BrokenPipeError'))
      faults.push(`${tag}: a send threw ${sendError}`);
    if (lastErrors[id] !== 'EOFError')
      faults.push(`${tag}: the client's last recv ended with ${lastErrors[id]}`);
    const code = p?.exitCode;
    const wantCode = fate.kind === 'return' ? SERVE.ok : fate.kind === 'exit' ? SERVE.exit : -9;
    if (p && code !== wantCode) faults.push(`${tag}: the worker ended with ${code}, not ${wantCode}`);
  }
  await pause(0);
  rmSync(dir, { recursive: true, force: true });
  const tagged = await watch.end(faults, config, { pids, tries: 150, activeChildren: core.activeChildren });
  return { faults: tagged, config };
}
