// Starts real worker threads and child processes for the tests. Arguments travel exactly as the
// core package sends them: encodeValue() on this side, decodeValue() in the peer.

import { type ChildProcess, fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { encodeValue } from '@multiproc/shared';

const PEER = new URL('./fixtures/peer.mjs', import.meta.url);

export type Context = 'thread' | 'process';

export interface Peer {
  /** Resolves to the scenario's result; rejects with its error. */
  readonly result: Promise<unknown>;
  /** Kills the peer at once (SIGKILL / terminate). */
  kill(): Promise<void>;
}

const started = new Set<Peer>();

/** Runs `scenarios[name](...args)` in a new worker thread or child process. */
export function startPeer(context: Context, name: string, ...args: unknown[]): Peer {
  const { value, transfer, encoded } = encodeValue([name, ...args], context, 'args');
  const msg = { value, encoded };
  let settle!: { ok: (v: unknown) => void; fail: (e: unknown) => void };
  const result = new Promise<unknown>((ok, fail) => {
    settle = { ok, fail };
  });
  const onMessage = (m: any) =>
    m.error ? settle.fail(Object.assign(new Error(m.error.message), m.error)) : settle.ok(m.result);
  let peer: Peer;
  if (context === 'thread') {
    const w = new Worker(PEER, { workerData: msg, transferList: transfer as any[] });
    w.on('message', onMessage);
    // A thread's uncaught error can reach this thread before a message it posted earlier (they come
    // on two ports), so an 'error' fails nothing yet: Node delivers every message the thread
    // posted before it emits 'exit'.
    let error: unknown;
    w.on('error', (err) => {
      error ??= err;
    });
    w.on('exit', (code) => settle.fail(error ?? new Error(`worker exited with ${code}`)));
    peer = {
      result,
      kill: async () => {
        await w.terminate();
      },
    };
  } else {
    const c: ChildProcess = fork(PEER, [], { serialization: 'advanced', stdio: 'inherit' });
    c.on('message', onMessage);
    // 'exit' can come before a message the child sent just before it ended is read; 'close' comes
    // once its channel is closed too, after every message it sent.
    c.on('close', (code, signal) => settle.fail(new Error(`child exited with ${code ?? signal}`)));
    c.send(msg);
    peer = {
      result,
      kill: () =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    };
  }
  result.catch(() => {});
  started.add(peer);
  return peer;
}

/** Kills every peer started since the last call (use in afterEach). */
export async function killAll(): Promise<void> {
  const peers = [...started];
  started.clear();
  await Promise.all(peers.map((p) => p.kill()));
}

/** Waits (bounded by `ms`) until `check()` holds; whether it did. */
export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** What {@link bounded} gives for a promise that did not settle within `STUCK_MS`. */
export const STUCK = 'still waiting';
/** How long a wait that should end at once may take before a test calls it stuck (ms). */
export const STUCK_MS = 8_000;

/** `p`, or {@link STUCK} once `STUCK_MS` passed without it settling (the timer is cleared either way). */
export function bounded<T>(p: Promise<T>): Promise<T | typeof STUCK> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof STUCK>((resolve) => {
    timer = setTimeout(resolve, STUCK_MS, STUCK);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
