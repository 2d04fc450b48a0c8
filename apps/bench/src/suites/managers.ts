/**
 * Suite `managers` (issue 19): a manager `Lock`'s acquire/release pairs and a manager `dict`'s
 * set/get pairs, made from a child process, and small objects one way from a `Client` to a
 * `Listener` with an authkey, each against Python's `Manager().Lock()`, `Manager().dict()` and
 * `multiprocessing.connection` measured in the same run. The Lock's pairs are measured from two
 * child processes at once too (contended: a lease goes back and forth). The floor under a manager
 * pair, two round trips on a bare Unix socket, is measured in both languages too, and so are the
 * dict's pairs from two child processes at once on one key (a data lease, if one was granted, is
 * revoked each time the other process asks).
 *
 * The manager cases hand the proxy to a pool of one child process, which times its own loop and
 * returns the samples (Python: the same, `Pool(1).apply`). The Listener case times in the parent,
 * from the count to the child's answer, as the ipc suite does.
 */
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowMs, perSecond, sampleRuns } from '../harness.js';
import { multiproc, needs } from '../mp.js';
import { fixtureUrl } from '../paths.js';
import { pythonUnavailable, runPython } from '../python.js';
import { smallItem } from '../raw.js';
import type { Target } from '../targets.js';
import type { BenchCase, Measurement } from '../types.js';

const AUTHKEY = 'bench';
type Which = 'lock' | 'contended' | 'dict' | 'dictContended' | 'floor' | 'listener';

const QUESTIONS: Record<Which, { title: string; unit: BenchCase['unit'] }> = {
  lock: { title: 'manager Lock acquire/release pairs from a child process', unit: 'pairs/s' },
  contended: {
    title: 'manager Lock acquire/release pairs, two child processes taking it in turn',
    unit: 'pairs/s',
  },
  dict: { title: 'manager dict set/get pairs from a child process', unit: 'pairs/s' },
  dictContended: {
    title: 'manager dict set/get pairs, two child processes on one key at once',
    unit: 'pairs/s',
  },
  floor: { title: 'the floor: two bare socket round trips from a child process', unit: 'pairs/s' },
  listener: { title: 'Listener/Client small objects one way, with an authkey', unit: 'msgs/s' },
};

let tasksPromise: Promise<Record<string, any>> | undefined;
function managerTasks(): Promise<Record<string, any>> {
  tasksPromise ??= import(fixtureUrl('manager-tasks.mjs').href).then((m) => m.tasks);
  return tasksPromise;
}

function base(which: Which, id: string, impl: string, kind: BenchCase['kind']) {
  return {
    id: `managers/${which}/${id}`,
    suite: 'managers' as const,
    group: `managers.${which}`,
    title: QUESTIONS[which].title,
    impl,
    kind,
    unit: QUESTIONS[which].unit,
    better: 'higher' as const,
  };
}

/** Sizes: a pair is two round trips (to the manager), far dearer than a message one way. */
function countOf(which: Which, smallMsgs: number): number {
  if (which === 'contended' || which === 'dictContended') return Math.max(1000, smallMsgs / 40); // per child: long enough to overlap
  return which === 'listener' ? Math.max(1000, smallMsgs / 4) : Math.max(200, smallMsgs / 100);
}

/**
 * A manager pair from a pool child. `roundTrip`: the Lock's release or the dict's set waits for
 * the manager's answer (`callMethod('release')`, `callMethod('set')`), as each did before it was
 * pipelined: the same build's before/after in one run.
 */
function mpManager(which: 'lock' | 'dict', roundTrip = false): BenchCase {
  const name = which === 'lock' ? 'Lock' : 'dict';
  const waited = which === 'lock' ? 'release' : 'set';
  return {
    ...base(
      which,
      roundTrip ? 'multiproc-roundtrip' : 'multiproc',
      roundTrip
        ? `multiproc Manager ${name}, ${waited} as a round trip (process)`
        : `multiproc Manager ${name} (process)`,
      roundTrip ? 'baseline' : 'multiproc',
    ),
    unavailable: needs(['Manager', 'Pool', 'defineTasks']),
    measure: async ({ runs, warmup, sizes }): Promise<Measurement> => {
      const mp = await multiproc();
      const tasks = await managerTasks();
      const manager = await mp.Manager.start();
      const pool = new mp.Pool({ processes: 1, context: 'process' });
      try {
        const obj = which === 'lock' ? manager.Lock() : manager.dict();
        const task =
          which === 'dict'
            ? roundTrip
              ? tasks.dictPairsRoundTrip
              : tasks.dictPairs
            : roundTrip
              ? tasks.lockPairsRoundTrip
              : tasks.lockPairs;
        await pool.apply(task, [obj, 20, 1]); // warm: the child connects and compiles its loop
        // The child times itself (no budget there): it takes the warm-up samples too; drop them.
        const all = await pool.apply(task, [obj, countOf(which, sizes.smallMsgs), warmup + runs]);
        return { samples: all.slice(warmup) };
      } finally {
        await pool.terminate();
        await manager.shutdown();
      }
    },
  };
}

/**
 * Two pool children each make `n` pairs on one manager Lock (acquire/release) or dict key
 * (set/get) at once, so they take turns (a lease, if one was granted, is handed back each time the
 * other asks): all pairs per second, timed in the parent from sending both tasks to both answers.
 */
function mpContended(which: 'contended' | 'dictContended'): BenchCase {
  const name = which === 'contended' ? 'Lock' : 'dict';
  return {
    ...base(which, 'multiproc', `multiproc Manager ${name}, 2 processes (process)`, 'multiproc'),
    unavailable: needs(['Manager', 'Pool', 'defineTasks']),
    measure: async ({ runs, warmup, sizes }): Promise<Measurement> => {
      const mp = await multiproc();
      const tasks = await managerTasks();
      const manager = await mp.Manager.start();
      const pool = new mp.Pool({ processes: 2, context: 'process' });
      try {
        const obj = which === 'contended' ? manager.Lock() : manager.dict();
        const task = which === 'contended' ? tasks.lockPairsTogether : tasks.dictPairsTogether;
        const start = manager.Barrier(2); // both loops start together, so they overlap
        const both = (n: number) => Promise.all([0, 1].map(() => pool.apply(task, [start, obj, n])));
        await both(20); // warm: both children connect and compile their loop
        const n = countOf(which, sizes.smallMsgs);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          await both(n);
          return perSecond(2 * n, nowMs() - t0);
        });
        return { samples };
      } finally {
        await pool.terminate();
        await manager.shutdown();
      }
    },
  };
}

/**
 * What any manager pair costs at least in Node: two round trips of a small frame between a child
 * process and an echo server in this one, on a bare Unix socket (the manager's own transport,
 * minus its frames' contents and dispatch), from a pool child as the manager cases.
 */
const nodeFloor: BenchCase = {
  ...base('floor', 'node-socket', 'bare Node Unix socket (net, onread)', 'baseline'),
  unavailable: needs(['Pool', 'defineTasks']),
  measure: async ({ runs, warmup, sizes }): Promise<Measurement> => {
    const mp = await multiproc();
    const tasks = await managerTasks();
    const path = join(tmpdir(), `mp-bench-floor-${process.pid}.sock`);
    const server = net.createServer((c) => c.on('data', (d) => c.write(d)));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const pool = new mp.Pool({ processes: 1, context: 'process' });
    try {
      await pool.apply(tasks.socketPairs, [path, 20, 1]);
      const all = await pool.apply(tasks.socketPairs, [
        path,
        countOf('floor', sizes.smallMsgs),
        warmup + runs,
      ]);
      return { samples: all.slice(warmup) };
    } finally {
      await pool.terminate();
      server.close();
    }
  },
};

const mpListener: BenchCase = {
  ...base('listener', 'multiproc', 'multiproc Listener/Client (process)', 'multiproc'),
  unavailable: needs(['Listener', 'Client', 'Process', 'defineTasks']),
  measure: async ({ runs, warmup, sizes }) => {
    const mp = await multiproc();
    const tasks = await managerTasks();
    const listener = new mp.Listener(undefined, { authkey: AUTHKEY });
    const p = new mp.Process({
      target: tasks.clientSink,
      args: [listener.address, AUTHKEY],
      context: 'process',
    });
    p.start();
    try {
      const conn = await listener.accept();
      const n = countOf('listener', sizes.smallMsgs);
      const samples = await sampleRuns({ runs, warmup }, async () => {
        const t0 = nowMs();
        conn.send(n);
        for (let i = 0; i < n; i++) conn.send(smallItem(i));
        await conn.recv();
        return perSecond(n, nowMs() - t0);
      });
      conn.send(null);
      await p.join();
      return { samples };
    } finally {
      listener.close();
      if (p.isAlive()) await p.terminate();
    }
  },
};

function python(which: Which): BenchCase {
  const impl = {
    lock: 'python Manager().Lock()',
    contended: 'python Manager().Lock(), 2 processes',
    dict: 'python Manager().dict()',
    dictContended: 'python Manager().dict(), 2 processes',
    floor: 'python bare Unix socket (blocking recv)',
    listener: 'python connection.Listener/Client',
  }[which];
  return {
    ...base(which, 'python', impl, 'python'),
    unavailable: pythonUnavailable,
    measure: ({ runs, warmup, sizes }) =>
      runPython('managers.py', which, { n: countOf(which, sizes.smallMsgs), runs, warmup }),
  };
}

/** The `managers` suite. */
export function managerCases(): BenchCase[] {
  return [
    mpManager('lock'),
    mpManager('lock', true),
    python('lock'),
    mpContended('contended'),
    python('contended'),
    mpManager('dict'),
    mpManager('dict', true),
    python('dict'),
    mpContended('dictContended'),
    python('dictContended'),
    nodeFloor,
    python('floor'),
    mpListener,
    python('listener'),
  ];
}

/** Issue 19's speed targets: at least 2x Python's operations per second, each. */
export const MANAGER_TARGETS: Target[] = (['lock', 'dict', 'listener'] as const).map((which) => ({
  issue: 19,
  suite: 'managers',
  text: `${QUESTIONS[which].title} >= 2x Python`,
  caseId: `managers/${which}/multiproc`,
  versus: `managers/${which}/python`,
  op: '>=',
  threshold: 2,
}));
