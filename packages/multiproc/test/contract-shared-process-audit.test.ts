// The contract's "Packages", "Contexts", "Process" and "Shared memory" sections, read sentence by
// sentence and checked as a user would: through the umbrella package's built output, with real
// worker threads and child processes. Where the contract is silent, Python's behaviour (CPython's
// test_multiprocessing) is the expectation: join(timeout) returns nothing, a signal gives -N,
// a broken Barrier stays broken until reset(), wait_for returns the predicate's last value.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import mp, {
  BoundedSemaphore,
  BrokenBarrierError,
  ClosedError,
  Condition,
  ContextError,
  Event,
  Lock,
  LockError,
  Process,
  ProcessError,
  RawArray,
  RawValue,
  RLock,
  Semaphore,
  SerializationError,
  SharedArray,
  ValidationError,
  Value,
} from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/contract-audit-tasks.mjs';

const CONTEXTS = matrix(import.meta.url);
type ContextName = (typeof CONTEXTS)[number];

const started: Process[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) {
    try {
      if (p.isAlive()) p.kill();
      await p.join(5_000);
    } catch {
      // Closed by the test.
    }
  }
});

function begin(options: ConstructorParameters<typeof Process>[0]): Process {
  const p = new Process(options);
  started.push(p);
  p.start();
  return p;
}

function expectCode(fn: () => unknown, Class: new (...a: never[]) => Error, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(Class);
  expect((thrown as { code: string }).code).toBe(code);
}

async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** Runs a program in its own process group, bounded: the whole group is killed at `ms`. */
function runProgram(file: string, args: string[], ms = 30_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [new URL(file, FIXTURES).pathname, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // The group has ended.
      }
      resolve({ code, stdout, stderr });
    });
  });
}

describe('Packages: @multiproc/shared runs with no Node.js runtime (browser-safe)', () => {
  it('its built output imports nothing from node: and works with Node globals removed', async () => {
    // On Node the index loads the shared-memory objects on first use (require() through
    // process.getBuiltinModule, never an import of node:); elsewhere the `default` export is the
    // whole package in one file, which must need nothing of Node.
    const nodeUrl = import.meta.resolve('@multiproc/shared');
    expect(readFileSync(new URL(nodeUrl), 'utf8')).not.toMatch(/from\s*["']node:|import\(["']node:/);
    const url = new URL('./browser.js', nodeUrl).href;
    expect(readFileSync(new URL(url), 'utf8')).not.toMatch(/from\s*["']node:|import\(["']node:|require\(/);
    const code = `
      const { parentPort } = require('node:worker_threads');
      for (const k of ['process', 'Buffer', 'setImmediate', 'clearImmediate', 'global', 'require']) delete globalThis[k];
      import(${JSON.stringify(url)}).then(async (s) => {
        const v = new s.Value('i', 1); v.value += 1;
        const lock = new s.Lock(); const got = await lock.acquire(); lock.release();
        const ev = new s.Event(); setTimeout(() => ev.set(), 1); const set = await ev.wait(5000);
        const bar = new s.Barrier(2); const idx = (await Promise.all([bar.wait(), bar.wait()])).sort();
        let err; try { new s.SharedArray('i', [1]).get(1); } catch (e) { err = e.code; }
        parentPort.postMessage([v.value, got, set, idx, err, typeof globalThis.process]);
      }, (e) => parentPort.postMessage(String(e && e.stack)));`;
    const worker = new Worker(code, { eval: true });
    try {
      const answer = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(answer).toEqual([2, true, true, [0, 1], 'MP_VALIDATION', 'undefined']);
    } finally {
      await worker.terminate();
    }
  });
});

describe('Shared memory: Value, RawValue, SharedArray, RawArray', () => {
  const samples: Record<string, [number | bigint, number | bigint, number | bigint]> = {
    // typecode: [a value that fits, the smallest that does not fit below, above]
    b: [-128, -129, 128],
    B: [255, -1, 256],
    h: [-32768, -32769, 32768],
    H: [65535, -1, 65536],
    i: [2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 31],
    I: [2 ** 32 - 1, -1, 2 ** 32],
    l: [-(2 ** 31), -(2 ** 31) - 1, 2 ** 31],
    L: [2 ** 32 - 1, -1, 2 ** 32],
    q: [2n ** 63n - 1n, -(2n ** 63n) - 1n, 2n ** 63n],
    Q: [2n ** 64n - 1n, -1n, 2n ** 64n],
  };

  it.each(Object.keys(samples))('typecode %s holds its range and refuses what does not fit', (tc) => {
    const [fits, below, above] = samples[tc]!;
    const code = tc as 'i';
    expect(new Value(code, fits as number).value).toBe(fits);
    expect(new RawValue(code, fits as number).value).toBe(fits);
    for (const bad of [below, above]) {
      expectCode(() => new Value(code, bad as number), ValidationError, 'MP_VALIDATION');
      expectCode(() => new RawArray(code, [bad as number]), ValidationError, 'MP_VALIDATION');
      const v = new Value(code);
      expectCode(
        () => {
          v.value = bad as number;
        },
        ValidationError,
        'MP_VALIDATION',
      );
      expect(v.value).toBe(typeof fits === 'bigint' ? 0n : 0);
    }
  });

  it('gives bigint for q/Q, numbers for the others, and refuses the other kind', () => {
    expect(typeof new Value('q', 1n).value).toBe('bigint');
    expect(new SharedArray('Q', [1n, 2n]).get(-1)).toBe(2n);
    expectCode(() => new Value('q', 1 as never), ValidationError, 'MP_VALIDATION');
    expectCode(() => new Value('i', 1n as never), ValidationError, 'MP_VALIDATION');
    expectCode(() => new Value('i', 1.5), ValidationError, 'MP_VALIDATION');
    expectCode(() => new Value('d', '1' as never), ValidationError, 'MP_VALIDATION');
    expectCode(() => new Value('f', 1e39), ValidationError, 'MP_VALIDATION');
    expect(new Value('f', 0.1).value).toBe(Math.fround(0.1));
    expect(new Value('d', 1.5).value).toBe(1.5);
  });

  it('refuses a bad typecode (Python-only ones too) with ValidationError', () => {
    for (const tc of ['x', 'c', 'u', 'int', '', 5]) {
      expectCode(() => new Value(tc as 'i', 0), ValidationError, 'MP_VALIDATION');
      expectCode(() => new RawValue(tc as 'i', 0), ValidationError, 'MP_VALIDATION');
      expectCode(() => new SharedArray(tc as 'i', 2), ValidationError, 'MP_VALIDATION');
      expectCode(() => new RawArray(tc as 'i', [1]), ValidationError, 'MP_VALIDATION');
    }
  });

  it('indexes -length <= i < length, negative from the end; others throw ValidationError', () => {
    for (const arr of [new SharedArray('i', [1, 2, 3]), new RawArray('i', [1, 2, 3])]) {
      expect([arr.length, arr.get(0), arr.get(-1), arr.get(-3)]).toEqual([3, 1, 3, 1]);
      arr.set(-1, 30);
      expect(arr.get(2)).toBe(30);
      for (const i of [3, -4, 1.5, Number.NaN, '1', 1n, undefined]) {
        expectCode(() => arr.get(i as number), ValidationError, 'MP_VALIDATION');
        expectCode(() => arr.set(i as number, 0), ValidationError, 'MP_VALIDATION');
      }
      expectCode(() => arr.set(0, 2 ** 40), ValidationError, 'MP_VALIDATION');
      expect(arr.get(0)).toBe(1);
    }
  });

  it('makes an array of a size (zeros) or from numbers; view is the shared memory', () => {
    const a = new SharedArray('d', 10);
    expect([a.length, a.get(9)]).toEqual([10, 0]);
    const b = new SharedArray('i', [1, 2, 3]);
    expect(b.view).toBeInstanceOf(Int32Array);
    expect(b.view.buffer).toBeInstanceOf(SharedArrayBuffer);
    b.view[1] = 7;
    expect(b.get(1)).toBe(7);
    expect(new RawArray('i', 4).length).toBe(4);
    expectCode(() => new SharedArray('i', -1), ValidationError, 'MP_VALIDATION');
    expectCode(() => new SharedArray('b', [1, 300]), ValidationError, 'MP_VALIDATION');
  });

  it('Value/SharedArray carry a Lock or the given one; { lock: false } and Raw* have no getLock()', () => {
    expect(new Value('i', 0).getLock()).toBeInstanceOf(Lock);
    expect(new SharedArray('d', 2).getLock()).toBeInstanceOf(Lock);
    const rlock = new RLock();
    expect(new Value('i', 0, { lock: rlock }).getLock()).toBe(rlock);
    expect(new SharedArray('i', 2, { lock: rlock }).getLock()).toBe(rlock);
    const raws = [
      new Value('i', 0, { lock: false }),
      new SharedArray('i', 2, { lock: false }),
      new RawValue('d', 1.5),
      new RawArray('i', [1, 2, 3]),
    ];
    for (const raw of raws) expect((raw as { getLock?: unknown }).getLock).toBeUndefined();
    expect(raws[0]).toBeInstanceOf(RawValue);
    expect(raws[1]).toBeInstanceOf(RawArray);
    expectCode(() => new Value('i', 0, { lock: 'yes' as never }), ValidationError, 'MP_VALIDATION');
  });
});

describe('Shared memory: Lock, RLock, Semaphore, BoundedSemaphore', () => {
  it('acquire/acquireSync take ms, { timeout } or { block: false } and answer a boolean', async () => {
    const lock = new Lock();
    expect(await lock.acquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(await lock.acquire(10)).toBe(false);
    expect(await lock.acquire({ timeout: 10 })).toBe(false);
    expect(await lock.acquire({ block: false })).toBe(false);
    expect(lock.acquireSync(10)).toBe(false);
    expect(lock.acquireSync({ timeout: 10 })).toBe(false);
    expect(lock.tryAcquire()).toBe(false);
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
    for (const bad of ['10', Number.NaN, { timeout: '1' }, { wait: 1 }, [10]]) {
      expect(await rejection(lock.acquire(bad as never))).toBeInstanceOf(ValidationError);
      expectCode(() => lock.acquireSync(bad as never), ValidationError, 'MP_VALIDATION');
    }
  });

  it('acquire never blocks the event loop', async () => {
    const lock = new Lock();
    await lock.acquire();
    let ticked = false;
    setTimeout(() => {
      ticked = true;
      lock.release();
    }, 1);
    expect(await lock.acquire(10_000)).toBe(true);
    expect(ticked).toBe(true);
  });

  it('withLock releases after the callback, even when it throws', async () => {
    const lock = new Lock();
    expect(await lock.withLock(async () => lock.locked())).toBe(true);
    expect(lock.locked()).toBe(false);
    await expect(lock.withLock(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(lock.locked()).toBe(false);
  });

  it('releasing an unheld Lock, an RLock nobody holds, a BoundedSemaphore past its value: LockError', () => {
    expectCode(() => new Lock().release(), LockError, 'MP_LOCK');
    expectCode(() => new RLock().release(), LockError, 'MP_LOCK');
    expectCode(() => new BoundedSemaphore(2).release(), LockError, 'MP_LOCK');
    const bounded = new BoundedSemaphore(2);
    expect(bounded.tryAcquire()).toBe(true);
    bounded.release();
    expectCode(() => bounded.release(), LockError, 'MP_LOCK');
    expect(bounded.getValue()).toBe(2);
  });

  it('RLock is reentrant for its owner; Semaphore counts (getValue) and may exceed its start', async () => {
    const rlock = new RLock();
    expect(await rlock.acquire()).toBe(true);
    expect(rlock.acquireSync({ block: false })).toBe(true);
    rlock.release();
    rlock.release();
    expectCode(() => rlock.release(), LockError, 'MP_LOCK');
    const sem = new Semaphore(2);
    expect([await sem.acquire(), sem.acquireSync(), sem.tryAcquire(), await sem.acquire(5)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(sem.getValue()).toBe(0);
    sem.release();
    sem.release();
    sem.release();
    expect(sem.getValue()).toBe(3);
    expect(new Semaphore().getValue()).toBe(1);
    expectCode(() => new Semaphore(-1), ValidationError, 'MP_VALIDATION');
  });

  it.each(['Lock', 'RLock'] as const)('a %s held by another thread cannot be released here', async (kind) => {
    const lock = kind === 'Lock' ? new Lock() : new RLock();
    const held = new Event();
    const done = new Event();
    const p = begin({ target: tasks.holdUntil, args: [lock, held, done] });
    expect(await held.wait(10_000)).toBe(true);
    if (kind === 'RLock') expectCode(() => lock.release(), LockError, 'MP_LOCK');
    else lock.release(); // A Lock is not owned, as in Python: any thread may release it.
    done.set();
    await p.join(10_000);
    expect(p.exitCode).toBe(kind === 'RLock' ? 0 : 1);
  });

  it('an RLock this thread holds cannot be released by another thread (LockError there)', async () => {
    const rlock = new RLock();
    await rlock.acquire();
    const out = new Value('i', 0);
    const p = begin({ target: tasks.releaseForeign, args: [rlock, out] });
    await p.join(10_000);
    expect([out.value, p.exitCode]).toEqual([2, 0]);
    rlock.release();
  });

  it('a Lock-protected Value counts exactly across threads', async () => {
    const v = new Value('i', 0);
    const ps = [0, 1, 2].map(() => begin({ target: tasks.increment, args: [v, 2000] }));
    for (const p of ps) await p.join(20_000);
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0, 0]);
    expect(v.value).toBe(6000);
  });
});

describe('Shared memory: Event and Condition', () => {
  it('Event: set/clear/isSet; wait(ms) and waitSync(ms) answer false on timeout', async () => {
    const ev = new Event();
    expect([
      ev.isSet(),
      await ev.wait(5),
      await ev.wait({ timeout: 5 }),
      ev.waitSync(5),
      await ev.wait(0),
    ]).toEqual([false, false, false, false, false]);
    const p = begin({ target: tasks.set, args: [ev] });
    expect(await ev.wait(10_000)).toBe(true);
    expect([ev.isSet(), ev.waitSync(), ev.waitSync(0)]).toEqual([true, true, true]);
    ev.clear();
    expect(ev.isSet()).toBe(false);
    await p.join(10_000);
    expect(await rejection(ev.wait('1' as never))).toBeInstanceOf(ValidationError);
  });

  it('wait/notify/notifyAll without the lock throw LockError', async () => {
    const cond = new Condition();
    expect(await rejection(cond.wait(10))).toBeInstanceOf(LockError);
    expect(await rejection(cond.waitFor(() => false, 10))).toBeInstanceOf(LockError);
    // Also a predicate already true (Python's wait_for answers it unchecked; its docs say the lock
    // must be held): refused before the predicate reads the guarded state unlocked.
    expect(await rejection(cond.waitFor(() => true, 10))).toBeInstanceOf(LockError);
    expectCode(() => cond.notify(), LockError, 'MP_LOCK');
    expectCode(() => cond.notifyAll(), LockError, 'MP_LOCK');
    expectCode(() => cond.release(), LockError, 'MP_LOCK');
  });

  it('wait(ms) answers false on timeout, true when notified from another thread', async () => {
    const cond = new Condition();
    await cond.acquire();
    expect(await cond.wait(5)).toBe(false);
    expect(await cond.wait({ timeout: 5 })).toBe(false);
    const v = new Value('i', 0);
    const p = begin({ target: tasks.notifyWhenSet, args: [cond, v] });
    expect(await cond.waitFor(() => v.value === 1, 10_000)).toBe(true);
    cond.release();
    await p.join(10_000);
    expect(p.exitCode).toBe(0);
  });

  it("waitFor(pred, ms) answers the predicate's last value, checked again at the timeout", async () => {
    const cond = new Condition();
    await cond.acquire();
    let calls = 0;
    const never = () => {
      calls++;
      return 0;
    };
    expect(await cond.waitFor(never, 10)).toBe(0);
    expect(calls).toBe(2);
    expect(await cond.waitFor(() => 'ready')).toBe('ready');
    cond.release();
  });

  it('notify(n) wakes n waiters and notifyAll all; withLock holds the lock', async () => {
    const cond = new Condition(new Lock());
    const woken: boolean[] = [];
    let entered = 0;
    const waiter = async () => {
      await cond.acquire();
      entered++; // under the lock, just before wait() gives it up
      woken.push(await cond.wait(1500));
      cond.release();
    };
    // Once the lock is ours again, every waiter that entered is inside wait(): a fixed sleep
    // instead missed a waiter under load (it then waited its whole timeout, not notified).
    const allWaiting = async (n: number) => {
      while (entered < n) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const waiters = [waiter(), waiter(), waiter()];
    await allWaiting(3);
    await cond.withLock(async () => cond.notify(2));
    await Promise.all(waiters);
    expect(woken.filter(Boolean)).toHaveLength(2);
    const again = [waiter(), waiter()];
    await allWaiting(5);
    await cond.withLock(async () => cond.notifyAll());
    await Promise.all(again);
    expect(woken.filter(Boolean)).toHaveLength(4);
  });
});

describe('Shared memory: Barrier', () => {
  it('wait gives distinct arrival indexes 0..parties-1 each cycle, across threads too', async () => {
    const bar = new mp.Barrier(3);
    for (let cycle = 0; cycle < 2; cycle++) {
      expect((await Promise.all([bar.wait(), bar.wait(), bar.wait()])).sort()).toEqual([0, 1, 2]);
    }
    const out = new SharedArray('i', 6);
    const v = new Value('i', 0);
    const ps = [0, 1].map((i) => begin({ target: tasks.party, args: [bar, out, i, v] }));
    out.set(2, await bar.wait(10_000));
    for (const p of ps) await p.join(10_000);
    expect([out.get(0), out.get(1), out.get(2)].sort()).toEqual([0, 1, 2]);
    const sync = new mp.Barrier(2);
    const q = begin({ target: tasks.partySync, args: [sync, out, 0] });
    const mine = sync.waitSync(10_000);
    await q.join(10_000);
    expect([mine, out.get(0)].sort()).toEqual([0, 1]);
    expect(new mp.Barrier(1).waitSync()).toBe(0);
  });

  it('a timeout breaks it for every party; a broken barrier refuses until reset()', async () => {
    const bar = new mp.Barrier(3);
    const other = bar.wait();
    expect(await rejection(bar.wait(10))).toBeInstanceOf(BrokenBarrierError);
    expect(await rejection(other)).toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
    expect(await rejection(bar.wait())).toBeInstanceOf(BrokenBarrierError);
    expectCode(() => bar.waitSync(10), BrokenBarrierError, 'MP_BROKEN_BARRIER');
    bar.reset();
    expect(bar.broken).toBe(false);
    expect((await Promise.all([bar.wait(), bar.wait(), bar.wait()])).sort()).toEqual([0, 1, 2]);
    const timed = new mp.Barrier(2, { timeout: 10 });
    expect(await rejection(timed.wait())).toBeInstanceOf(BrokenBarrierError);
  });

  it('abort() and reset() reject the waiting parties; nWaiting counts them', async () => {
    const bar = new mp.Barrier(3);
    const waiting = [bar.wait(), bar.wait()];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(bar.nWaiting).toBe(2);
    bar.reset();
    for (const w of waiting) expect(await rejection(w)).toBeInstanceOf(BrokenBarrierError);
    expect([bar.broken, bar.nWaiting]).toEqual([false, 0]);
    const next = bar.wait();
    bar.abort();
    expect(await rejection(next)).toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
    bar.reset();
    expect((await Promise.all([bar.wait(), bar.wait(), bar.wait()])).sort()).toEqual([0, 1, 2]);
  });

  it('runs its action once per cycle before release; a throwing action breaks it', async () => {
    let runs = 0;
    const bar = new mp.Barrier(2, {
      action: () => {
        runs++;
      },
    });
    const seen = await Promise.all([bar.wait().then(() => runs), bar.wait().then(() => runs)]);
    expect(seen).toEqual([1, 1]);
    const boom = new Error('action failed');
    const failing = new mp.Barrier(2, {
      action: () => {
        throw boom;
      },
    });
    const outcomes = await Promise.allSettled([failing.wait(), failing.wait()]);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.value));
    expect(reasons).toContain(boom);
    expect(reasons.some((r) => r instanceof BrokenBarrierError)).toBe(true);
    expect(failing.broken).toBe(true);
  });

  it('a TaskRef action runs in the last party, in any thread; a plain one cannot be sent', async () => {
    const channel = new BroadcastChannel('contract-audit-barrier');
    const ran: unknown[] = [];
    channel.onmessage = (m: MessageEvent) => ran.push(m.data);
    try {
      const bar = new mp.Barrier(2, { action: tasks.announce });
      const out = new SharedArray('i', 6);
      const p = begin({ target: tasks.party, args: [bar, out, 0, new Value('i', 0)] });
      await bar.wait(10_000);
      await p.join(10_000);
      for (let i = 0; i < 50 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(ran).toHaveLength(1);
    } finally {
      channel.close();
    }
    const plain = new mp.Barrier(2, { action: () => {} });
    const q = new Process({
      target: tasks.party,
      args: [plain, new SharedArray('i', 6), 0, new Value('i', 0)],
    });
    expectCode(() => q.start(), SerializationError, 'MP_SERIALIZATION');
  });
});

describe('Shared memory across contexts', () => {
  it('works on the same memory in a thread-context Process, nested anywhere in args', async () => {
    const arr = new SharedArray('d', [1, 2, 3, 0]);
    const p = begin({ target: tasks.sumInto, args: [arr] });
    await p.join(10_000);
    expect(arr.get(-1)).toBe(6);
    const ev = new Event();
    const q = begin({ target: tasks.set, args: [new Map([['k', [{ ev }]]]).get('k')![0]!.ev] });
    await q.join(10_000);
    expect(ev.isSet()).toBe(true);
  });

  it.each([
    ['Value', () => new Value('i', 0), 'args[0]'],
    ['Lock', () => ({ nested: [new Lock()] }), 'args[0].nested[0]'],
    ['Event in a Map', () => new Map([['k', new Event()]]), 'args[0]'],
    ['RawArray', () => new RawArray('i', [1]), 'args[0]'],
  ])("a %s sent to a 'process' Process fails fast from start() with ContextError", (_k, make, path) => {
    for (const options of [{ context: 'process' as const }, { context: mp.getContext('process') }]) {
      const p = new Process({ target: tasks.set, args: [make()], ...options });
      let thrown: unknown;
      try {
        p.start();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ContextError);
      expect((thrown as Error).message).toContain(path);
      expect(p.isAlive()).toBe(false);
    }
  });

  it("a pool task with shared memory in a 'process' pool is rejected with ContextError", async () => {
    const pool = new mp.Pool({ processes: 1, context: 'process' });
    try {
      const call = pool.apply(tasks.set, [new Event()]);
      const err = await rejection(call);
      expect(err).toBeInstanceOf(ContextError);
      expect((err as Error).message).toContain('args[0]');
    } finally {
      await pool.terminate();
    }
  });
});

describe.each(CONTEXTS)("Process in the '%s' context", (context: ContextName) => {
  it('starts at once, joins, and reports pid, name, daemon, exitCode and isAlive', async () => {
    const p = new Process({ target: tasks.noop, context, name: 'greeter' });
    started.push(p);
    expect([p.exitCode, p.isAlive(), p.pid, p.name, p.daemon]).toEqual([null, false, null, 'greeter', false]);
    expect(p.start()).toBeUndefined();
    expect(p.isAlive()).toBe(true);
    expect(typeof p.pid).toBe('number');
    if (context === 'thread') {
      expect(p.pid).toBe(process.pid);
      expect(typeof p.threadId).toBe('number');
    } else {
      expect(p.pid).not.toBe(process.pid);
    }
    expect(mp.activeChildren()).toContain(p);
    expect(await p.join(10_000)).toBeUndefined();
    expect([p.exitCode, p.isAlive()]).toEqual([0, false]);
    expect(mp.activeChildren()).not.toContain(p);
    expectCode(() => p.start(), ProcessError, 'MP_PROCESS');
  });

  it('join(ms) returns after the timeout with exitCode still null; terminate gives -15, kill -9', async () => {
    const p = begin({ target: tasks.forever, context });
    expect(await p.join(20)).toBeUndefined();
    expect(await p.join({ timeout: 0 })).toBeUndefined();
    expect([p.exitCode, p.isAlive()]).toEqual([null, true]);
    await p.terminate();
    await p.join(10_000);
    expect([p.exitCode, p.isAlive()]).toEqual([-15, false]);
    const q = begin({ target: tasks.forever, context });
    q.kill();
    await q.join(10_000);
    expect(q.exitCode).toBe(-9);
    await q.terminate(); // does nothing once ended
    expect(q.exitCode).toBe(-9);
    expect(await rejection(q.join('1' as never))).toBeInstanceOf(ValidationError);
  });

  it('a thrown error or rejection gives 1, process.exit(n) gives n', async () => {
    const outcomes: Array<[Process, number]> = [
      [begin({ target: tasks.throws, context }), 1],
      [begin({ target: tasks.rejects, context }), 1],
      [begin({ target: tasks.exitWith, args: [3], context }), 3],
      [begin({ target: tasks.exitWith, args: [0], context }), 0],
    ];
    for (const [p] of outcomes) await p.join(10_000);
    expect(outcomes.map(([p]) => p.exitCode)).toEqual(outcomes.map(([, code]) => code));
  });

  it('a target that throws prints its stack on stderr, as Python does', { timeout: 30_000 }, async () => {
    for (const task of ['throws', 'rejects']) {
      const { stdout, stderr } = await runProgram('contract-audit-run.mjs', [context, task]);
      expect(stdout).toContain('EXIT 1');
      expect(stderr).toMatch(/(thrown|rejected) on purpose/);
      expect(stderr).toContain('contract-audit-tasks.mjs:');
    }
  });

  it('close() throws while live; afterwards every method throws ClosedError', async () => {
    const p = begin({ target: tasks.forever, context });
    expect(() => p.close()).toThrow(ProcessError);
    p.kill();
    await p.join(10_000);
    p.close();
    expectCode(() => p.isAlive(), ClosedError, 'MP_CLOSED');
    expectCode(() => p.start(), ClosedError, 'MP_CLOSED');
    expectCode(() => p.kill(), ClosedError, 'MP_CLOSED');
    expectCode(() => p.exitCode, ClosedError, 'MP_CLOSED');
    expectCode(() => p.pid, ClosedError, 'MP_CLOSED');
    expect(await rejection(p.join())).toBeInstanceOf(ClosedError);
    expect(await rejection(p.terminate())).toBeInstanceOf(ClosedError);
  });

  it('the worker has its name, parentProcess(), isMain() false, the env and cwd', async () => {
    const q = mp.getContext(context).Queue<Record<string, unknown>>();
    process.env.MP_CONTRACT_AUDIT = 'inherited';
    try {
      const p = begin({ target: tasks.identity, args: [q], context, name: 'probe' });
      const seen = await q.get(10_000);
      await p.join(10_000);
      expect(seen).toMatchObject({
        name: 'probe',
        parent: { pid: process.pid, name: 'MainProcess' },
        isMain: false,
        env: 'inherited',
        cwd: process.cwd(),
      });
      expect(seen.pid === process.pid).toBe(context === 'thread');
    } finally {
      delete process.env.MP_CONTRACT_AUDIT;
      q.close();
    }
  });

  it('lines written by concurrent workers never interleave', { timeout: 60_000 }, async () => {
    const { code, stdout } = await runProgram('contract-audit-lines.mjs', [context]);
    const lines = stdout.trimEnd().split('\n');
    expect(code).toBe(0);
    expect(lines).toHaveLength(3 * 1500);
    expect(lines.filter((l) => !/^[ABC]:x{60}:\d+$/.test(l))).toEqual([]);
  });

  it('an unguarded program is refused in the worker and does not fork without bound', async () => {
    const { stdout, stderr } = await runProgram('contract-audit-unguarded.mjs', [context], 30_000);
    expect(stdout.match(/^TOP /gm)).toHaveLength(2);
    expect(stdout).toContain('EXIT 1');
    expect(stderr).toContain('isMain()');
  });
});

describe("Process in the 'process' context: signals", () => {
  it.each([
    ['SIGKILL', -9],
    ['SIGTERM', -15],
    ['SIGINT', -2],
  ] as const)('a child ended by %s has exitCode %i', async (signal, code) => {
    const p = begin({ target: tasks.raise, args: [signal], context: 'process' });
    await p.join(10_000);
    expect(p.exitCode).toBe(code);
  });

  it('terminate() of a child that ignores SIGTERM ends it with SIGKILL after the grace', async () => {
    const [ready, theirs] = mp.Pipe({ duplex: false });
    const p = begin({ target: tasks.ignoreSigterm, args: [theirs], context: 'process' });
    expect(await ready.recv()).toBe('ignoring'); // its SIGTERM handler is in place
    await p.terminate();
    ready.close();
    expect([p.isAlive(), p.exitCode]).toEqual([false, -9]);
  });
});

describe('Process: bad options and unsendable arguments', () => {
  it('throws ValidationError from the constructor, SerializationError from start()', () => {
    const bad = [
      { target: tasks.noop, args: 'x' },
      { target: tasks.noop, context: 'fork' },
      { target: () => {} },
      { target: tasks.noop, name: 5 },
      { target: tasks.noop, daemon: 'yes' },
      {},
    ];
    for (const options of bad)
      expectCode(() => new Process(options as never), ValidationError, 'MP_VALIDATION');
    // The daemon setter checks what the option checks.
    const unstarted = new Process({ target: tasks.noop });
    expectCode(
      () => {
        unstarted.daemon = 'yes' as never;
      },
      ValidationError,
      'MP_VALIDATION',
    );
    expect(unstarted.daemon).toBe(false);
    for (const context of CONTEXTS) {
      const p = new Process({ target: tasks.set, args: [() => 1], context });
      expectCode(() => p.start(), SerializationError, 'MP_SERIALIZATION');
    }
  });
});

describe('Contexts and identity', () => {
  it('getContext/setStartMethod/getStartMethod/getAllStartMethods behave as in Python', async () => {
    expect(mp.getAllStartMethods()).toEqual(['thread', 'process']);
    expect(mp.getStartMethod()).toBe('thread');
    expectCode(() => mp.getContext('fork' as never), ContextError, 'MP_CONTEXT');
    expectCode(() => mp.setStartMethod('spawn' as never), ContextError, 'MP_CONTEXT');
    const ctx = mp.getContext('process');
    expect(mp.getContext('process')).toBe(ctx);
    for (const name of ['Process', 'Pool', 'Queue', 'Pipe', 'Lock', 'Event', 'Value', 'Barrier']) {
      expect(typeof (ctx as unknown as Record<string, unknown>)[name]).toBe('function');
    }
    mp.setStartMethod('process');
    try {
      expect(mp.getStartMethod()).toBe('process');
      expectCode(() => mp.setStartMethod('thread'), ContextError, 'MP_CONTEXT');
      const p = begin({ target: tasks.noop });
      expect(p.pid).not.toBe(process.pid);
      await p.join(10_000);
      expect(p.exitCode).toBe(0);
    } finally {
      mp.setStartMethod('thread', { force: true });
    }
    expect(mp.getStartMethod()).toBe('thread');
    const t = new (mp.getContext('process').Process)({ target: tasks.forever });
    started.push(t);
    t.start();
    expect(t.pid).not.toBe(process.pid);
  });

  it.each(CONTEXTS)("getContext('%s') has the library's names, not the packages' helpers", (name) => {
    const ctx = mp.getContext(name) as unknown as Record<string, unknown>;
    // Python: a context object carries the module's names (and `_name`; here `name`).
    const foreign = Object.keys(ctx).filter((k) => k !== 'name' && !(k in mp));
    expect(foreign).toEqual([]);
    for (const k of Object.keys(mp).filter((k) => k.endsWith('Error')))
      expect(ctx[k], k).toBe(mp[k as 'ProcessError']);
  });

  it("currentProcess().name is 'MainProcess', parentProcess() null, isMain() true, cpuCount() >= 1", () => {
    expect(mp.currentProcess().name).toBe('MainProcess');
    expect(mp.currentProcess().pid).toBe(process.pid);
    expect(mp.parentProcess()).toBeNull();
    expect(mp.isMain()).toBe(true);
    expect(Number.isInteger(mp.cpuCount()) && mp.cpuCount() >= 1).toBe(true);
  });
});

describe('A pending wait and the end of the program', () => {
  it.each(['lock', 'event', 'semaphore', 'condition', 'barrier'])(
    'an await on a %s nothing could satisfy rejects instead of an unsettled end',
    { timeout: 30_000 },
    async (what) => {
      const { stdout } = await runProgram('contract-audit-waits.mjs', [what]);
      const result = JSON.parse(stdout.match(/RESULT (.*)/)?.[1] ?? 'null');
      expect(result?.rejected).toMatch(/^(LockError|BrokenBarrierError)$/);
    },
  );

  it('an await that a live daemon worker satisfies keeps the program alive', {
    timeout: 30_000,
  }, async () => {
    const { code, stdout } = await runProgram('contract-audit-waits.mjs', ['live-daemon']);
    expect(stdout).toContain('RESULT true');
    expect(code).toBe(0);
  });
});
