// Scenarios of public CPython bug reports on multiprocessing's queues, pipes, synchronisation
// primitives, managers and processes (bugs.python.org "bpo-N", github.com/python/cpython "gh-N"),
// each asserting the report's *fixed* behaviour as the contract translates it. Pool reports are in
// python-bugs.test.ts.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  ClosedError,
  Condition,
  EOFError,
  Event,
  JoinableQueue,
  KeyError,
  LockError,
  Manager,
  ManagerClosedError,
  Pipe,
  Pool,
  Process,
  Queue,
  QueueEmptyError,
  QueueFullError,
  Semaphore,
  SerializationError,
  SimpleQueue,
  type SyncManager,
} from '@multiproc/multiproc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ipc, managed, sync } from './fixtures/python-bugs-tasks.mjs';

type Context = 'thread' | 'process';
const CONTEXTS: Context[] = ['thread', 'process'];
const started: Process[] = [];
const pools: Pool[] = [];
const closers: { close(): void }[] = [];

function start(
  context: Context,
  target: ConstructorParameters<typeof Process>[0]['target'],
  args: unknown[],
  name?: string,
): Process {
  const p = new Process({ target, args, context, ...(name ? { name } : {}) });
  started.push(p);
  p.start();
  return p;
}
function queue<T>(options?: ConstructorParameters<typeof Queue<T>>[0]): Queue<T> {
  const q = new Queue<T>(options);
  closers.push(q);
  return q;
}
afterEach(async () => {
  for (const p of started.splice(0)) {
    try {
      if (p.isAlive()) p.kill();
    } catch {}
  }
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  for (const c of closers.splice(0)) c.close();
});

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe.each(CONTEXTS)('CPython Queue bug reports, %s context', (context) => {
  // bpo-30414 (gh-74599): after an unpicklable put the feeder thread died; later puts were lost.
  it('bpo-30414: after a put that cannot be sent, every later put reaches a worker', {
    timeout: 30_000,
  }, async () => {
    const q = queue<unknown>();
    const out = queue<unknown>();
    await expect(q.put({ onDone: () => 1 })).rejects.toBeInstanceOf(SerializationError);
    for (const v of [1, 2, 3]) await q.put(v);
    start(context, ipc.getN, [q, 3, out]);
    expect(await out.get({ timeout: 20_000 })).toEqual([1, 2, 3]);
  });

  // gh-79423: a worker that put an unpicklable object and ended left the queue inconsistent, silently.
  it('gh-79423: a worker whose put cannot be sent is told so, and what it put next arrives', {
    timeout: 30_000,
  }, async () => {
    const q = queue<unknown>();
    const p = start(context, ipc.putUnsendableThenGood, [q]);
    expect(await q.get({ timeout: 20_000 })).toBe('SerializationError');
    expect(await q.get({ timeout: 20_000 })).toBe('after');
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });

  // gh-91594 / bpo-29797 (gh-73983): a child that put many items could not end until they were read,
  // so join() deadlocked. Here the items are kept by the queue: join() ends and nothing is lost.
  it.each([
    ['returns', ipc.putRange],
    ['calls process.exit(0)', ipc.putRangeThenExit],
  ])(
    'gh-91594: a worker that puts 2000 items and %s can be joined; every item still arrives in order',
    {
      timeout: 60_000,
    },
    async (_how, target) => {
      const q = queue<number>();
      const p = start(context, target, [q, 2000]);
      expect(await q.get({ timeout: 20_000 })).toBe(0);
      await p.join(30_000);
      expect(p.exitCode).toBe(0);
      const rest: number[] = [];
      for (let i = 1; i < 2000; i += 1) rest.push(await q.get({ timeout: 20_000 }));
      expect(rest).toEqual(range(2000).slice(1));
    },
  );

  // gh-135730: close() stops this side only; a reader in another worker drains what was put.
  it('gh-135730: items put before close() are all got by a worker', { timeout: 30_000 }, async () => {
    const q = new Queue<number>();
    const out = queue<unknown>();
    start(context, ipc.getN, [q, 3, out]);
    for (const v of [7, 8, 9]) await q.put(v);
    q.close();
    expect(await out.get({ timeout: 20_000 })).toEqual([7, 8, 9]);
  });

  // bpo-30301: a SimpleQueue unpickled in a child lacked `_poll`, so empty() failed there.
  it('bpo-30301: a SimpleQueue passed to a worker answers empty() and get() there', {
    timeout: 30_000,
  }, async () => {
    const sq = new SimpleQueue<string>();
    closers.push(sq);
    const out = queue<unknown>();
    await sq.put('x');
    start(context, ipc.simpleQueueUse, [sq, out]);
    expect(await out.get({ timeout: 20_000 })).toEqual([false, 'x']);
  });
});

describe('CPython Queue bug reports, one thread', () => {
  // bpo-33078 (gh-77259): an unpicklable put took a slot of a bounded queue for ever: later puts blocked.
  it('bpo-33078: a Queue(maxsize 1) whose put could not be sent still takes one item', async () => {
    const q = queue<unknown>({ maxsize: 1 });
    await expect(q.put({ onDone: () => 1 })).rejects.toBeInstanceOf(SerializationError);
    expect(() => q.putNowait({ onDone: () => 1 })).toThrow(SerializationError);
    expect(q.qsize()).toBe(0);
    q.putNowait(1);
    expect(() => q.putNowait(2)).toThrow(QueueFullError);
    expect(q.getNowait()).toBe(1);
  });

  // bpo-20147 / bpo-30595: get(timeout) raised Empty although an item had been put.
  it('bpo-30595: an item put on this side is got at once, with a tiny timeout or none', async () => {
    const q = queue<number>();
    await q.put(1);
    expect(await q.get({ timeout: 1 })).toBe(1);
    await q.put(2);
    expect(q.getNowait()).toBe(2);
    await expect(q.get({ timeout: 1 })).rejects.toBeInstanceOf(QueueEmptyError);
  });

  // bpo-22872: put()/get() after close() raised AssertionError and OSError; now ValueError. gh-120012:
  // empty() after close() raised OSError. Here every use of a closed copy throws ClosedError.
  it('bpo-22872 / gh-120012: a closed Queue, JoinableQueue or SimpleQueue refuses with ClosedError', async () => {
    for (const q of [new Queue<number>(), new JoinableQueue<number>()]) {
      q.close();
      await expect(q.put(1)).rejects.toBeInstanceOf(ClosedError);
      await expect(q.get()).rejects.toBeInstanceOf(ClosedError);
      expect(() => q.putNowait(1)).toThrow(ClosedError);
      expect(() => q.getNowait()).toThrow(ClosedError);
      for (const m of ['empty', 'full', 'qsize'] as const) expect(() => q[m]()).toThrow(ClosedError);
      q.close(); // closing again does nothing
    }
    const sq = new SimpleQueue<number>();
    sq.close();
    await expect(sq.put(1)).rejects.toBeInstanceOf(ClosedError);
    await expect(sq.get()).rejects.toBeInstanceOf(ClosedError);
    expect(() => sq.empty()).toThrow(ClosedError);
  });
});

describe.each(CONTEXTS)('CPython Pipe and Process bug reports, %s context', (context) => {
  // Reports of recv() blocking on a dead peer (the contract: never waits forever on a peer that is gone).
  it('recv() on a pipe whose only peer was killed rejects with EOFError', { timeout: 30_000 }, async () => {
    const [here, there] = Pipe();
    closers.push(here);
    const p = start(context, ipc.readyThenHang, [there]);
    there.close();
    expect(await here.recv()).toBe('ready');
    p.kill();
    await p.join(20_000);
    await expect(here.recv()).rejects.toBeInstanceOf(EOFError);
  });

  // Python's documented behaviour (no report): current_process().name in the child is the name given.
  it('currentProcess().name in the worker is the Process name', { timeout: 30_000 }, async () => {
    const q = queue<string>();
    const p = start(context, ipc.ownName, [q], 'greeter');
    expect(await q.get({ timeout: 20_000 })).toBe('greeter');
    await p.join(20_000);
    expect(p.name).toBe('greeter');
  });

  // "daemonic processes are not allowed to have children" (pools in processes): nesting works here.
  it('a Process whose target runs a Pool puts the pool results', { timeout: 60_000 }, async () => {
    const q = queue<number[]>();
    const p = start(context, ipc.poolInProcess, [q, [2, 3]]);
    expect(await q.get({ timeout: 40_000 })).toEqual([4, 9]);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });
});

describe('CPython synchronisation bug reports', () => {
  // bpo-14753: multiprocessing treated negative timeouts unlike threading; both now mean "do not wait".
  it('bpo-14753: a negative timeout does not wait: Event, Condition, Semaphore and Queue answer at once', {
    timeout: 10_000,
  }, async () => {
    expect(await new Event().wait(-1)).toBe(false);
    const cond = new Condition();
    await cond.acquire();
    expect(await cond.wait(-1)).toBe(false);
    cond.release();
    expect(await new Semaphore(0).acquire({ timeout: -1 })).toBe(false);
    await expect(queue<number>().get({ timeout: -1 })).rejects.toBeInstanceOf(QueueEmptyError);
  });

  // gh-125828: BoundedSemaphore.release() past its value did not raise (macOS), and get_value was missing.
  it('gh-125828: BoundedSemaphore release past its initial value throws LockError; getValue works', () => {
    const s = new BoundedSemaphore(2);
    expect(() => s.release()).toThrow(LockError);
    expect(s.tryAcquire()).toBe(true);
    expect(s.getValue()).toBe(1);
    s.release();
    expect(s.getValue()).toBe(2);
    expect(() => s.release()).toThrow(LockError);
  });

  // Python's Barrier (threading semantics, as multiprocessing's): an action that raises breaks the barrier.
  it('a Barrier action that throws rejects that wait with its error and leaves the barrier broken', async () => {
    const failure = new TypeError('action failed');
    const b = new Barrier(1, {
      action: () => {
        throw failure;
      },
    });
    await expect(b.wait(5_000)).rejects.toBe(failure);
    expect(b.broken).toBe(true);
    await expect(b.wait(5_000)).rejects.toBeInstanceOf(BrokenBarrierError);
    b.reset();
    expect(b.broken).toBe(false);
  });

  // gh-95826: Event.wait(timeout) missed a heartbeat of set()/clear() from another process.
  it('gh-95826: wait(ms) on an Event a worker sets and clears in a loop returns true', {
    timeout: 30_000,
  }, async () => {
    const event = new Event();
    const stop = new Event();
    const p = start('thread', sync.heartbeat, [event, stop]);
    try {
      for (let i = 0; i < 20; i += 1) expect(await event.wait(10_000)).toBe(true);
    } finally {
      stop.set();
      await p.join(10_000);
    }
  });
});

describe.each(CONTEXTS)('CPython Manager bug reports, %s workers', (context) => {
  let manager: SyncManager;
  beforeAll(() => {
    manager = Manager();
  });
  afterAll(async () => {
    await manager.shutdown();
  });

  // bpo-6766: a dict inside a managed dict could not be modified through it (nested proxies, 3.6).
  // gh-119937: a proxy received by another process could not call proxy-returning methods.
  it('bpo-6766 / gh-119937: a worker edits a dict proxy kept inside a list proxy', {
    timeout: 60_000,
  }, async () => {
    const p = new Pool({ processes: 1, context });
    pools.push(p);
    const inner = manager.dict<string, number>();
    const outer = manager.list([inner]);
    expect(await p.apply(managed.innerSet, [outer, 'k', 5])).toBe(5);
    expect(await inner.get('k')).toBe(5);
  });

  // python/cpython#17333: iterating a dict proxy in a child failed (the proxy lost its manager).
  it('python/cpython#17333: a worker iterates a dict proxy', { timeout: 60_000 }, async () => {
    const p = new Pool({ processes: 1, context });
    pools.push(p);
    const d = manager.dict({ a: 1, b: 2 });
    expect(await p.apply(managed.dictKeys, [d])).toEqual(['a', 'b']);
  });

  // gh-101320: one proxy shared by several processes at once gave pickle errors (a shared socket).
  it('gh-101320: two workers set 40 keys of one dict proxy concurrently; all are there', {
    timeout: 60_000,
  }, async () => {
    const p = new Pool({ processes: 2, context });
    pools.push(p);
    const d = manager.dict<string, number>();
    await p.starmap(
      managed.dictSet,
      range(40).map((i) => [d, `k${i}`, i] as [typeof d, string, number]),
      { chunksize: 1 },
    );
    expect(await d.len()).toBe(40);
    expect(await d.get('k39')).toBe(39);
  });

  // gh-78279: a server-side KeyError reached the caller stripped; here it keeps its class, also in a worker.
  it('gh-78279: pop() of a missing key rejects with KeyError here and in a worker', {
    timeout: 60_000,
  }, async () => {
    const p = new Pool({ processes: 1, context });
    pools.push(p);
    const d = manager.dict<string, number>();
    await expect(d.pop('missing')).rejects.toBeInstanceOf(KeyError);
    await expect(p.apply(managed.dictPopMissing, [d])).rejects.toBeInstanceOf(KeyError);
  });
});

describe.each(CONTEXTS)('CPython Manager shutdown reports, %s workers', (context) => {
  // Reports of proxies hanging or failing obscurely once their manager is gone: a named error, no hang.
  it('a proxy used after shutdown() rejects with ManagerClosedError, here and in a worker', {
    timeout: 60_000,
  }, async () => {
    const manager = Manager();
    const d = manager.dict<string, number>();
    const p = new Pool({ processes: 1, context });
    pools.push(p);
    await p.apply(managed.dictSet, [d, 'a', 1]);
    await manager.shutdown();
    await expect(d.get('a')).rejects.toBeInstanceOf(ManagerClosedError);
    const error = (await p
      .apply(managed.dictSet, [d, 'b', 2], { timeout: 20_000 })
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ManagerClosedError);
  });
});

/** Runs python-bugs-program.mjs with `args`; resolves with its exit code and output. */
function runProgram(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = fileURLToPath(new URL('./fixtures/python-bugs-program.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err?.killed) reject(new Error(`the program did not end: ${stdout} ${stderr}`));
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

describe.each(CONTEXTS)('CPython whole-program reports, %s context', (context) => {
  // bpo-34172 (gh-78353): a Pool dropped without close() leaked its threads; here the program still ends.
  it('bpo-34172: a program that used a Pool and never closed it ends by itself', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram(['pool-left-open', context]);
    expect(stdout).toContain('MAPPED [1,4,9]');
    expect(code).toBe(0);
  });

  // A daemonic child does not keep the program alive; a non-daemonic one is waited for (Python's atexit join).
  it('a daemon Process that never ends does not keep the program alive; a non-daemon one finishes first', {
    timeout: 60_000,
  }, async () => {
    const daemon = await runProgram(['daemon', context]);
    expect([daemon.code, daemon.stdout.trim()]).toEqual([0, 'STARTED']);
    const plain = await runProgram(['non-daemon', context]);
    expect(plain.stdout).toMatch(/STARTED\s+CHILD DONE/);
    expect(plain.code).toBe(0);
  });

  // bpo-13812: the child's traceback was lost on stderr when it exited; exitcode is 1.
  it('bpo-13812: a target that throws prints its error on stderr and ends with exitCode 1', {
    timeout: 40_000,
  }, async () => {
    const { stdout, stderr } = await runProgram(['throw', context]);
    expect(stdout).toContain('EXIT 1');
    expect(stderr).toContain('child failed on purpose');
  });
});
