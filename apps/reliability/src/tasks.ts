/**
 * The task module every suite's workers run. It registers under the URL of the built
 * `dist/tasks.js`, also when a test imports this source file, so workers always import plain
 * JavaScript (no TypeScript loader in every worker) and the refs match on both sides.
 */
import { appendFileSync } from 'node:fs';
import { defineTasks, sendToCaller } from '@multiproc/core';
import type { Connection, Queue } from '@multiproc/ipc';

const MODULE = import.meta.url.replace(/\/src\/([^/]+)\.ts$/, '/dist/$1.js');

/** How a chaos item ends: normally, with a task error, slowly, or by killing its worker. */
export type Fate = 'ok' | 'error' | 'slow' | 'exit' | 'uncaught' | 'kill' | 'oom';

/** One chaos item: its number, its fate, and the file each start is logged to. */
export interface Item {
  readonly x: number;
  readonly fate: Fate;
  readonly log: string;
}

// Pending until the worker is killed. The timer keeps its event loop alive: with an empty loop a
// worker ends by itself (exit code 13, an unsettled target), and a 'hang' would not wait to be killed.
const never = () =>
  new Promise<never>(() => {
    setInterval(() => {}, 1 << 30);
  });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function hold(): number[][] {
  const kept: number[][] = [];
  for (;;) kept.push(new Array(1 << 20).fill(kept.length));
}

export const tasks = defineTasks(MODULE, {
  /** Logs its start (so a second run shows), then ends the way `fate` says; `ok` returns 2x. */
  work: async (item: Item): Promise<number> => {
    appendFileSync(item.log, `${item.x}\n`);
    switch (item.fate) {
      case 'error':
        throw new RangeError(`item ${item.x} failed`);
      case 'slow':
        await pause(200);
        break;
      case 'exit':
        process.exit(3);
        break;
      case 'uncaught':
        setTimeout(() => {
          throw new Error(`uncaught in item ${item.x}`);
        }, 0);
        return never();
      case 'kill':
        process.kill(process.pid, 'SIGKILL');
        return never();
      case 'oom':
        hold();
    }
    return item.x * 2;
  },
  /** Where this task runs: the worker's pid (process) or thread id. */
  whereAmI: async (): Promise<{ pid: number; threadId: number }> => {
    const { threadId } = await import('node:worker_threads');
    return { pid: process.pid, threadId };
  },
  /** Returns what it was given, as received. */
  identity: (value: unknown): unknown => value,
  /** Sends what it receives on `conn` back, once, and closes it. */
  echoOnPipe: async (conn: Connection): Promise<void> => {
    conn.send(await conn.recv());
    conn.close();
  },
  /**
   * Echoes every value from `conn` back on it until EOF, and every `{ v }` from `inbox` onto
   * `outbox` until it gets `'stop'`: one long-lived worker for many fuzzed round trips.
   */
  echoLoop: async (conn: Connection, inbox: Queue, outbox: Queue): Promise<void> => {
    const pipe = (async () => {
      for await (const v of conn) conn.send(v);
    })();
    for (let m = await inbox.get(); m !== 'stop'; m = await inbox.get()) await outbox.put(m);
    await pipe;
  },
  /** Puts `count` items `[id, seq]` on `q`, pausing up to `maxDelayMs` between them. */
  produce: async (q: Queue, id: number, count: number, maxDelayMs: number): Promise<void> => {
    for (let seq = 0; seq < count; seq++) {
      if (maxDelayMs > 0 && seq % 7 === 0) await pause(Math.floor(Math.random() * maxDelayMs));
      await q.put([id, seq]);
    }
  },
  /**
   * Takes items from `q` until it gets `null`, reporting each to `done` as `[consumer, item]`
   * after taking it; with `dieAfter`, it exits while holding its `dieAfter`-th item, after telling
   * `done` which one it holds.
   */
  consume: async (q: Queue, done: Queue, consumer: number, dieAfter: number, maxDelayMs: number) => {
    for (let n = 1; ; n++) {
      const item = await q.get();
      if (item === null) return;
      if (n === dieAfter) {
        await done.put(['held', consumer, item]);
        process.exit(9);
      }
      if (maxDelayMs > 0 && n % 5 === 0) await pause(Math.floor(Math.random() * maxDelayMs));
      await done.put(['got', consumer, item]);
    }
  },
  /** Sends `[id, 0..count-1]` on `conn` with random pauses, then returns or exits as `end` says. */
  sendMany: async (
    conn: Connection,
    id: number,
    count: number,
    end: 'return' | 'exit',
    maxDelayMs: number,
  ) => {
    for (let seq = 0; seq < count; seq++) {
      if (maxDelayMs > 0 && seq % 7 === 0) await pause(Math.floor(Math.random() * maxDelayMs));
      conn.send([id, seq]);
    }
    if (end === 'exit') process.exit(0);
  },
  /**
   * Holds copies of a pipe end and a queue: sends `[id, seq]` on both `count` times with random
   * pauses, then ends as `end` says (`hang` waits to be killed).
   */
  holder: async (conn: Connection, q: Queue, id: number, count: number, end: string, maxDelayMs: number) => {
    for (let seq = 0; seq < count; seq++) {
      if (maxDelayMs > 0 && seq % 5 === 0) await pause(Math.floor(Math.random() * maxDelayMs));
      conn.send([id, seq]);
      await q.put([id, seq]);
    }
    if (end === 'exit') process.exit(0);
    if (end === 'throw') throw new Error(`holder ${id} throws on purpose`);
    if (end === 'hang') await never();
  },
  /** Reports progress to the caller, for the bad-input suite's message checks. */
  report: (n: number): number => {
    sendToCaller(n);
    return n;
  },
  /** Sleeps `ms`. */
  sleep: (ms: number) => pause(ms),
});
