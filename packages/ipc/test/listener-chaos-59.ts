// Randomized schedules against Listener/Client (Python's multiprocessing.connection), mostly with
// an authkey. One seed makes one schedule: a Listener on a Unix path or loopback TCP, with a key
// (a string or bytes) or none; 1-10 clients at once, in this thread or a Process of either
// context: with the right key (sending messages of random kinds and sizes, tiny to past 64 KiB,
// and checking their echoes; then closing, calling process.exit() on the way, or killed with
// SIGKILL at a random moment, maybe mid-handshake), with a wrong key or none, and raw sockets
// that die mid-handshake (after part of an answer, or after garbage); the Listener closed at a
// random moment, while accept() waits or authenticates, or run by another program (an echo
// server) killed with SIGKILL at a random moment. Then it checks: no connection is accepted
// for a wrong key or a raw socket; each right client is accepted at most once, and its messages
// come back intact and in order; a refused Client() is AuthenticationError, and accept() then too
// (EOFError for one that died); after close() accept() is ClosedError and a Client() not accepted
// (or killed) fails with EOFError or ConnectError; every handler ends (EOFError when its client ends);
// nothing hangs; no process is left. `listenerSchedule()` returns what broke.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError, ClosedError, type Connection, EOFError, Listener } from '@multiproc/ipc';
import { draws, watchSchedule, within } from '../../../test-support/chaos.ts';
import { core } from './core.js';

const { tasks, talk, CODES, same } = await import(
  new URL('./fixtures/listener-chaos-59-tasks.mjs', import.meta.url).href
);

const SERVER = new URL('./fixtures/listener-chaos-59-server.mjs', import.meta.url).pathname;

/** A schedule not settled after this long is a hang. */
export const LISTENER_SCHEDULE_LIMIT_MS = 60_000;

type Kind = 'obj' | 'str' | 'bytes' | 'f64' | 'nested';
type Who = 'main' | 'thread' | 'process';
type Fate =
  | { kind: 'close' }
  | { kind: 'exit'; at: number }
  | { kind: 'hang'; at: number; killAfter: number }
  | { kind: 'kill'; killAfter: number };
interface Plan {
  id: number;
  role: 'right' | 'wrong' | 'raw';
  who: Who;
  key: string | Uint8Array | null;
  messages: [Kind, number][];
  /** Per message: the listener takes a 'bytes' one with recvBytesInto() into this much room more (-1: recvBytes()). */
  into: number[];
  fate: Fate;
  raw?: 'partial' | 'garbage' | 'silentClose';
}

/** Runs one schedule; returns what broke the contract (empty when nothing did), and its config. */
export async function listenerSchedule(
  seed: number,
): Promise<{ faults: string[]; config: Record<string, unknown> }> {
  const { random, between, pick } = draws(seed);
  const faults: string[] = [];
  const family = pick(['unix', 'unix', 'tcp'] as const);
  const keyKind = pick(['string', 'string', 'bytes', 'none'] as const);
  const key =
    keyKind === 'string'
      ? `secret ${seed}`
      : keyKind === 'bytes'
        ? Uint8Array.from({ length: between(1, 64) }, () => between(0, 255))
        : null;
  const wrongKey = (): string | Uint8Array | null =>
    key === null ? pick(['x', new Uint8Array([1, 2, 3])]) : pick([`not ${seed}`, null, new Uint8Array(32)]);
  const n = between(1, 10);
  const plans: Plan[] = [];
  for (let id = 0; id < n; id++) {
    const r = random();
    const role = r < 0.65 ? 'right' : r < 0.85 ? 'wrong' : 'raw';
    const who: Who = role === 'raw' ? 'main' : pick(['main', 'thread', 'process', 'process'] as const);
    const messages = Array.from({ length: random() < 0.1 ? 0 : between(1, 12) }, (): [Kind, number] => [
      pick(['obj', 'str', 'bytes', 'bytes', 'f64', 'nested'] as const),
      random() < 0.9 ? between(0, 3000) : between(60_000, 300_000),
    ]);
    const into = messages.map(() => (random() < 0.3 ? between(0, 16) : -1));
    const f = random();
    const at = between(0, messages.length);
    const fate: Fate =
      who === 'main' || f < 0.55
        ? { kind: 'close' }
        : f < 0.7
          ? { kind: 'exit', at }
          : f < 0.85
            ? { kind: 'hang', at, killAfter: between(0, 800) }
            : { kind: 'kill', killAfter: between(0, 400) };
    plans.push({
      id,
      role,
      who,
      key: role === 'right' ? key : role === 'wrong' ? wrongKey() : null,
      messages,
      into,
      fate,
      ...(role === 'raw' ? { raw: pick(['partial', 'garbage', 'silentClose'] as const) } : {}),
    });
  }
  const closeAfter = random() < 0.3 ? between(0, 900) : -1;
  // Or the Listener runs in another program, killed with SIGKILL at a random moment.
  const killListenerAfter = random() < 0.25 ? between(0, 900) : -1;
  const remote = killListenerAfter >= 0;
  const config = {
    seed,
    family,
    keyKind,
    clients: plans.map(
      (p) =>
        `${p.role}${p.raw ? `:${p.raw}` : ''}:${p.who}:${p.fate.kind}${'at' in p.fate ? `@${p.fate.at}` : ''}${'killAfter' in p.fate ? `+${p.fate.killAfter}ms` : ''}:${p.messages.length}`,
    ),
    closeAfter,
    killListenerAfter,
  };
  const watch = watchSchedule();
  const pids = new Set<number>();
  const started: { plan: Plan; p: any; killed: boolean }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mp-listener59-'));
  const server = remote
    ? spawn(
        process.execPath,
        [
          SERVER,
          family === 'tcp' ? 'tcp' : `unix:${join(dir, 'l')}`,
          JSON.stringify(key instanceof Uint8Array ? [...key] : key),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
      )
    : null;
  if (server?.pid !== undefined) pids.add(server.pid);
  const listener = remote
    ? null
    : new Listener(family === 'tcp' ? ['127.0.0.1', 0] : undefined, key === null ? {} : { authkey: key });
  const closeListener = () => listener?.close();
  const acceptErrors: string[] = [];
  const handlers: Promise<void>[] = [];
  const accepted = new Map<number, { echoed: number; end: string }>();
  const serveOne = async (conn: Connection) => {
    const first = await conn.recv().catch((e: Error) => e);
    if (first instanceof Error) {
      if (!(first instanceof EOFError)) faults.push(`handler: first recv ${first.name}: ${first.message}`);
      conn.close();
      return;
    }
    const id = (first as { id?: unknown })?.id;
    const plan = plans.find((p) => p.id === id);
    if (typeof id !== 'number' || !plan) {
      faults.push(`accepted a connection that says ${JSON.stringify(first)}`);
      conn.close();
      return;
    }
    if (plan.role !== 'right') faults.push(`accepted client ${id} (${config.clients[id]})`);
    if (accepted.has(id)) faults.push(`accepted client ${id} twice`);
    const state = { echoed: 0, end: 'open' };
    accepted.set(id, state);
    try {
      for (const [k, [kind, size]] of plan.messages.entries()) {
        let v: unknown;
        if (kind === 'bytes' && plan.into[k]! >= 0) {
          const buf = new Uint8Array(size + plan.into[k]!);
          const got = await conn.recvBytesInto(buf);
          v = buf.subarray(0, got);
        } else v = kind === 'bytes' ? await conn.recvBytes() : await conn.recv();
        if (!same(v, kind, size, id, k))
          faults.push(`client ${id} message ${k} (${kind}, ${size}) arrived wrong`);
        if (kind === 'bytes') conn.sendBytes(v as Uint8Array);
        else conn.send(v);
        state.echoed++;
      }
      const more = await conn.recv().then(
        (v) => `a value past the plan: ${JSON.stringify(v)?.slice(0, 80)}`,
        (e: Error) => e,
      );
      state.end = more instanceof EOFError ? 'EOF' : String(more);
    } catch (e) {
      state.end = e instanceof EOFError ? 'EOF' : `${(e as Error).name}: ${(e as Error).message}`;
    }
    if (state.end !== 'EOF') faults.push(`client ${id} handler ended with ${state.end}`);
    conn.close();
  };
  const acceptLoop = (async () => {
    while (listener) {
      const got = await listener.accept().catch((e: Error) => e);
      if (got instanceof ClosedError) return;
      if (got instanceof Error) {
        acceptErrors.push(got.name);
        if (!(got instanceof AuthenticationError) && !(got instanceof EOFError))
          faults.push(`accept() rejected with ${got.name}: ${got.message}`);
        continue;
      }
      handlers.push(serveOne(got as Connection));
    }
  })();
  const outcomes = new Map<number, number>();
  const raws: Promise<void>[] = [];
  try {
    const address = await within(
      listener ? listener.ready() : firstLine(server!).then((line) => JSON.parse(line)),
      20_000,
      'listener ready',
    );
    if (closeAfter >= 0) timers.push(setTimeout(closeListener, closeAfter));
    if (server)
      timers.push(
        setTimeout(() => {
          try {
            process.kill(server.pid!, 'SIGKILL');
          } catch {}
        }, killListenerAfter),
      );
    const mains: Promise<void>[] = [];
    for (const plan of plans) {
      if (plan.role === 'raw') {
        raws.push(rawClient(address, plan.raw!, random() < 0.5 ? between(0, 60) : 0));
        continue;
      }
      const args = [address, plan.key, plan.id, plan.messages, plan.fate];
      if (plan.who === 'main') {
        mains.push(talk(...args, false).then((code: number) => void outcomes.set(plan.id, code)));
        continue;
      }
      const p = new core.Process({ target: tasks.talk, args, context: plan.who });
      p.start();
      if (plan.who === 'process') pids.add(p.pid);
      const entry = { plan, p, killed: false };
      started.push(entry);
      const fate = plan.fate;
      if (fate.kind === 'hang' || fate.kind === 'kill')
        timers.push(
          setTimeout(
            () => {
              if (!p.isAlive()) return;
              entry.killed = true;
              if (plan.who === 'process') {
                try {
                  process.kill(p.pid, 'SIGKILL');
                } catch {}
              } else p.kill();
            },
            fate.killAfter + (fate.kind === 'hang' ? 300 : 0),
          ),
        );
    }
    await within(
      Promise.all([...mains, ...raws, ...started.map((s) => s.p.join())]),
      LISTENER_SCHEDULE_LIMIT_MS,
      'clients',
    );
    for (const s of started) outcomes.set(s.plan.id, s.p.exitCode);
    closeListener();
    await within(acceptLoop, 20_000, 'accept loop after close()');
    await within(Promise.all(handlers), 20_000, 'handlers');
  } catch (error) {
    faults.push(`${(error as Error).stack}`);
  } finally {
    for (const t of timers) clearTimeout(t);
    closeListener();
    if (server?.pid !== undefined)
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {}
    for (const s of started) if (s.p.isAlive()) s.p.kill();
  }
  // What each client's end says, against what the listener saw.
  // A listener closed or killed may refuse any client it had not accepted.
  const closedEarly = closeAfter >= 0 || remote;
  for (const plan of plans) {
    if (plan.role === 'raw') continue;
    const code = outcomes.get(plan.id);
    const s = started.find((e) => e.plan.id === plan.id);
    const seen = accepted.get(plan.id);
    const tag = `client ${plan.id} (${config.clients[plan.id]})`;
    const refusedByClose = [CODES.EOFError, CODES.ConnectError];
    if (plan.role === 'wrong') {
      const allowed = [CODES.AuthenticationError, ...(closedEarly ? refusedByClose : [])];
      if (!allowed.includes(code) && !(s?.killed && code === -9)) faults.push(`${tag} ended with ${code}`);
      continue;
    }
    const fate = plan.fate;
    const killed = s?.killed === true;
    const allowed =
      fate.kind === 'close'
        ? [CODES.ok]
        : fate.kind === 'exit'
          ? [fate.at < plan.messages.length ? CODES.exit : CODES.ok]
          : fate.kind === 'hang'
            ? [fate.at < plan.messages.length ? -9 : CODES.ok]
            : [CODES.ok];
    if (closedEarly) allowed.push(...refusedByClose);
    if (killed) allowed.push(-9);
    if (!allowed.includes(code)) faults.push(`${tag} ended with ${code}`);
    if (code === CODES.ok && !remote) {
      if (!seen) faults.push(`${tag} ended ok but was never accepted`);
      else if (seen.echoed !== plan.messages.length)
        faults.push(`${tag} ended ok with ${seen.echoed} of ${plan.messages.length} echoed`);
    }
  }
  const authErrors = acceptErrors.filter((e) => e === 'AuthenticationError').length;
  const maybeAuth = plans.filter((p) => p.role !== 'right').length;
  if (authErrors > maybeAuth)
    faults.push(`accept() refused ${authErrors} clients, only ${maybeAuth} could be`);
  for (const s of started) await s.p.join(10_000).catch(() => {});
  const tagged = await watch.end(faults, config, { pids, tries: 150, activeChildren: core.activeChildren });
  rmSync(dir, { recursive: true, force: true });
  return { faults: tagged, config };

  /** A raw socket that begins a handshake and dies in it. */
  function rawClient(
    address: unknown,
    how: 'partial' | 'garbage' | 'silentClose',
    delayMs: number,
  ): Promise<void> {
    const bytes =
      how === 'garbage'
        ? Buffer.from(Array.from({ length: between(1, 600) }, () => between(0, 255)))
        : how === 'partial'
          ? Buffer.concat([Buffer.from([0, 0, 0, 40]), Buffer.from('{sha256}0123456789')]).subarray(
              0,
              between(1, 22),
            )
          : Buffer.alloc(0);
    return new Promise<void>((resolve) => {
      const socket = net.connect(
        typeof address === 'string'
          ? { path: address }
          : { host: '127.0.0.1', port: (address as [string, number])[1] },
      );
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.once('connect', () => {
        setTimeout(() => {
          socket.write(bytes, () => socket.destroy());
          if (bytes.length === 0) socket.destroy();
        }, delayMs);
      });
    });
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (b: Buffer) => {
      text += String(b);
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the listening program ended (${code ?? signal})`)),
    );
  });
}
