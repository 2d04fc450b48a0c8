// Public bug reports of Node's worker pools (piscina, tinypool, workerpool, threads.js, poolifier,
// ray's and other Python-compatible pools) and of Python's multiprocessing that the earlier report
// files do not cover. Each case names its report, says in a line what went wrong there, and asserts
// what the contract (or, where it is silent, Python's fixed behaviour) says must happen instead,
// against real threads and child processes. Like the other report files it runs in the full tier
// (`MULTIPROC_TESTS=full`, both contexts; see vitest.config.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BufferTooShortError,
  ClosedError,
  Condition,
  EOFError,
  Event,
  JoinableQueue,
  Lock,
  Manager,
  Pipe,
  PoolClosedError,
  Process,
  Queue,
  QueueEmptyError,
  RawArray,
  RawValue,
  Semaphore,
  SharedArray,
  ValidationError,
  Value,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/bugs-50-tasks.mjs';
import {
  alive,
  type Context,
  eventually,
  lines,
  rejection,
  reportSuite,
  sleep,
  within,
} from './report-helpers.ts';

const { CONTEXTS, pool, scratchFile } = reportSuite(import.meta.url, 'bugs-50-');

/** The pid a task wrote to `file`, once it is there. */
async function pidIn(file: string): Promise<number> {
  await eventually(() => existsSync(file) && readFileSync(file, 'utf8') !== '', 15_000);
  return Number(readFileSync(file, 'utf8'));
}

/**
 * Starts fixtures/bugs-50-program.mjs in a process group of its own (as a shell starts a foreground
 * program), waits until its pool workers and its Process run (the pids they print), sends `signal`
 * to the whole group (`group`: a terminal's Ctrl-C) or to the program alone, and resolves once it
 * ended with its exit code or signal, its output after the ready line, and the pids it printed.
 */
function signalProgram(context: Context, mode: string, signal: NodeJS.Signals, group: boolean) {
  const file = fileURLToPath(new URL('./fixtures/bugs-50-program.mjs', import.meta.url));
  const dir = scratchFile();
  mkdirSync(dir);
  const child = spawn(process.execPath, [file, context, mode, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return new Promise<{ code: number | null; signal: string | null; out: string[]; pids: number[] }>(
    (resolve, reject) => {
      let out = '';
      let err = '';
      let pids: number[] = [];
      const timer = setTimeout(() => {
        process.kill(-(child.pid as number), 'SIGKILL');
        reject(new Error(`the program did not end: ${out} ${err}`));
      }, 20_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d;
      });
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        const first = out.split('\n')[0] as string;
        if (pids.length === 0 && out.includes('\n')) {
          pids = (JSON.parse(first) as { pids: number[] }).pids;
          process.kill(group ? -(child.pid as number) : (child.pid as number), signal);
        }
      });
      child.on('exit', (code, sig) => {
        clearTimeout(timer);
        resolve({ code, signal: sig, out: out.split('\n').filter(Boolean).slice(1), pids });
      });
    },
  );
}

describe.each(CONTEXTS)('bug reports (50), %s context', (context) => {
  // python/cpython#87129 (bpo-42963): pool.terminate() called from an error_callback deadlocked,
  // since the callback ran in the thread terminate() joins.
  it('gh-87129: terminate() called from an errorCallback resolves; the call still running rejects', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const running = rejection(p.apply(t.sleep, [30_000]));
    let terminated: Promise<void> | undefined;
    const failing = p.applyAsync(t.inverse, [0], {
      errorCallback: () => {
        terminated = p.terminate();
      },
    });
    expect((await rejection(failing)).message).toBe('division by zero');
    expect(await eventually(() => terminated !== undefined)).toBe(true);
    expect(await within(terminated as Promise<void>, 5000)).toBeUndefined();
    expect(await running).toBeInstanceOf(PoolClosedError);
  });

  // josdejong/workerpool#498: terminate() of a pool with no active task never resolved.
  it('workerpool#498: terminate() of a pool never used, and of one used and idle, resolves', {
    timeout: 20_000,
  }, async () => {
    const unused = pool({ processes: 2, context });
    expect(await within(unused.terminate(), 5000)).toBeUndefined();
    const idle = pool({ processes: 2, context });
    expect(await idle.map(t.identity, [1, 2, 3])).toEqual([1, 2, 3]);
    expect(await within(idle.terminate(), 5000)).toBeUndefined();
  });

  // python/cpython#94440: a future submitted and cancelled at once made shutdown(wait=True) hang.
  // A call with a signal is posted a microtask after it is made, so an abort in the same run finds
  // it unposted: it never runs, as a call still queued behind a busy worker never does.
  it('gh-94440: a call aborted right after it was submitted, then close() and join(), all settle', {
    timeout: 20_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.identity, [1])).toBe(1);
    const controller = new AbortController();
    const aborted = rejection(p.apply(t.mark, [file, 'aborted'], { signal: controller.signal }));
    controller.abort();
    p.close();
    expect(await within(p.join(), 5000)).toBeUndefined();
    expect((await aborted).name).toBe('AbortError');
    expect(lines(file)).toEqual([]);

    const q = pool({ processes: 1, context });
    expect(await q.apply(t.identity, [1])).toBe(1);
    const busy = q.apply(t.sleep, [300]);
    const queued = new AbortController();
    const abortedQueued = rejection(q.apply(t.mark, [file, 'queued'], { signal: queued.signal }));
    queued.abort();
    expect(await busy).toBe(300);
    q.close();
    expect(await within(q.join(), 5000)).toBeUndefined();
    expect((await abortedQueued).name).toBe('AbortError');
    expect(lines(file)).not.toContain('queued');
  });

  // ray-project/ray#24237 (PR #31799): imap over a non-iterable did not raise as Python's TypeError.
  it('ray#24237: map, starmap and imap over a number are refused with a named error; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const mapErr = await rejection(p.map(t.identity, 3 as never));
    expect(mapErr).toBeInstanceOf(ValidationError);
    expect(await rejection(p.starmap(t.add, 3 as never))).toBeInstanceOf(ValidationError);
    const imapErr = await rejection(
      (async () => {
        for await (const _ of p.imap(t.identity, 3 as never)) {
          // nothing: the input is not iterable
        }
      })(),
    );
    expect(imapErr).toBeInstanceOf(ValidationError);
    expect(await p.map(t.identity, [1, 2])).toEqual([1, 2]);
  });

  // ray-project/ray#11451: starmap over zip(...) (an iterator of tuples) passed the wrong arguments.
  it('ray#11451: starmap over a generator of argument pairs (a zip) gives what a list gives', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    function* zip(a: number[], b: number[]): Generator<[number, number]> {
      for (let i = 0; i < Math.min(a.length, b.length); i++) yield [a[i] as number, b[i] as number];
    }
    const evens = [0, 2, 4, 6];
    const odds = [1, 3, 5, 7];
    expect(await p.starmap(t.add, zip(evens, odds))).toEqual([1, 5, 9, 13]);
    expect(await p.starmap(t.add, [...zip(evens, odds)], { chunksize: 3 })).toEqual([1, 5, 9, 13]);
    const seen: number[] = [];
    for await (const v of p.imap(t.identity, zip(evens, odds))) {
      const [a, b] = v as [number, number];
      seen.push(a + b);
    }
    expect(seen).toEqual([1, 5, 9, 13]);
  });

  // python/cpython#57348 (modal-labs/modal-client#3084): an input that raised part-way through a
  // starmap did not fail the call with its error.
  it('modal-client#3084: starmap over an input that throws after two items rejects with that very error', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const thrown = new SyntaxError('bad third row');
    function* rows(): Generator<[number, number]> {
      yield [1, 2];
      yield [3, 4];
      throw thrown;
    }
    expect(await rejection(p.starmap(t.add, rows()))).toBe(thrown);
    expect(await p.starmap(t.add, [[5, 6]])).toEqual([11]);
  });

  // bpo-31304: starmap_async's error callback (documented as error_back) is the one that is called.
  it('bpo-31304: starmapAsync with a failing item calls errorCallback once and callback never', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const errors: unknown[] = [];
    const results: unknown[] = [];
    const r = p.starmapAsync(t.inverse, [[1], [0], [2]], {
      callback: (v) => results.push(v),
      errorCallback: (e) => errors.push(e),
    });
    expect(await r.wait(10_000)).toBe(true);
    expect(r.successful()).toBe(false);
    expect(results).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
  });

  // josdejong/workerpool#39: a task cancelled while queued stopped the tasks after it from running.
  it('workerpool#39: calls aborted in the middle of the queue never run; the others run once, in order', {
    timeout: 20_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    const busy = p.apply(t.sleep, [200]);
    await eventually(() => p.stats().busy === 1);
    const controllers = Array.from({ length: 6 }, () => new AbortController());
    const calls = controllers.map((c, i) =>
      p.apply(t.mark, [file, `call ${i}`], { signal: c.signal }).then(
        (v) => v,
        (err: Error) => err.name,
      ),
    );
    controllers[1]?.abort();
    controllers[4]?.abort();
    await busy;
    expect(await Promise.all(calls)).toEqual([
      'call 0',
      'AbortError',
      'call 2',
      'call 3',
      'AbortError',
      'call 5',
    ]);
    expect(lines(file)).toEqual(['call 0', 'call 2', 'call 3', 'call 5']);
  });

  // andywer/threads.js#396 (and #461): a pool could not be terminated while its workers were still
  // starting up.
  it('threads.js#396: terminate() while the only worker still runs a slow initializer resolves; the call rejects', {
    timeout: 20_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context, initializer: t.slowInit, initargs: [30_000] });
    const call = rejection(p.apply(t.mark, [file, 'ran']));
    await sleep(100);
    expect(await within(p.terminate(), 5000)).toBeUndefined();
    expect(await call).toBeInstanceOf(PoolClosedError);
    expect(lines(file)).toEqual([]);
  });

  // redis/node-redis#3399: close() of a pool whose new connections failed while it drained left
  // close() and the queued calls waiting. Here every worker's start fails (its initializer throws).
  it('node-redis#3399: close() while every worker start fails: the queued calls reject, join() resolves', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context, initializer: t.badInit });
    const calls = [1, 2, 3, 4].map((i) => rejection(p.apply(t.identity, [i])));
    p.close();
    expect(await within(p.join(), 15_000)).toBeUndefined();
    for (const err of await Promise.all(calls)) {
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toBe('initializer failed');
    }
  });

  // celery/billiard#270 (PR #390): join(timeout) closed the process before it ended, so a later
  // join() failed.
  it('billiard#270: join(ms) that times out, twice, leaves join() working and exitCode set', {
    timeout: 20_000,
  }, async () => {
    const p = new Process({ target: t.sleep, args: [400], context });
    p.start();
    await p.join(20);
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(true);
    await p.join({ timeout: 20 });
    expect(p.exitCode).toBeNull();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
    await p.join(10); // joining an ended process again returns at once
    p.close();
  });

  // Bogdanp/dramatiq#707: the parent kept its copy of the pipe's write end, so EOF never came when
  // the child ended. Here the parent closes its copy after start(), as Python's docs advise.
  it('dramatiq#707: a one-way pipe whose send end the parent closed after start() gives EOFError after the last value', {
    timeout: 20_000,
  }, async () => {
    const [reader, writer] = Pipe<string>({ duplex: false });
    const p = new Process({ target: t.sendAll, args: [writer, ['a', 'b']], context });
    p.start();
    writer.close();
    expect(await reader.recv()).toBe('a');
    expect(await reader.recv()).toBe('b');
    expect(await rejection(reader.recv())).toBeInstanceOf(EOFError);
    await p.join();
    expect(p.exitCode).toBe(0);
    reader.close();
  });

  // python/cpython#87971 (bpo-43805): a queue whose process on the other side died hung its reader.
  it('gh-87971: after the only putter was killed, get() returns what it put, then get(ms) ends with QueueEmptyError', {
    timeout: 20_000,
  }, async () => {
    const q = new Queue<string>();
    const p = new Process({ target: t.putThenSleep, args: [q, 'before the kill', 30_000], context });
    p.start();
    expect(await q.get({ timeout: 10_000 })).toBe('before the kill');
    p.kill();
    await p.join();
    expect(p.exitCode).toBe(-9);
    expect(await rejection(q.get({ timeout: 200 }))).toBeInstanceOf(QueueEmptyError);
    await q.put('after');
    expect(await q.get()).toBe('after');
    q.close();
  });
});

describe('bug reports (50), a worker killed from outside', () => {
  // nodejs/help#3332 and nodejs/node#50006: worker.terminate() left the child processes the worker
  // thread had started running until the whole program exited. A Process a worker started must end
  // with that worker however it is stopped from outside, in both contexts.
  it.each(
    CONTEXTS.flatMap((context) =>
      (['Process terminate()', 'Process kill()', 'pool terminate()', 'an aborted task'] as const).map(
        (how) => ({
          how,
          context,
        }),
      ),
    ),
  )(
    'nodejs/help#3332: a child process a $context worker started ends when the worker is stopped by $how',
    {
      timeout: 30_000,
    },
    async ({ how, context }) => {
      const file = scratchFile();
      const args = [file, 30_000, how === 'Process kill()'] as const;
      let stop: () => Promise<unknown>;
      if (how.startsWith('Process')) {
        const p = new Process({ target: t.startChildThenSleep, args: [...args], context });
        p.start();
        stop = async () => {
          if (how === 'Process kill()') p.kill();
          else await p.terminate();
          await p.join();
        };
      } else {
        const p = pool({ processes: 1, context });
        const controller = new AbortController();
        const call = p.apply(t.startChildThenSleep, [...args], { signal: controller.signal });
        stop = async () => {
          if (how === 'pool terminate()') await p.terminate();
          else controller.abort(); // the running task is stopped by recycling its worker
          return rejection(call);
        };
      }
      const child = await pidIn(file);
      try {
        await stop();
        expect(await eventually(() => !alive(child))).toBe(true);
      } finally {
        if (alive(child)) process.kill(child, 'SIGKILL');
      }
    },
  );

  // poolifier/poolifier#3211 (and poolifier-web-worker#146): a task's promise stayed pending when
  // its worker exited unexpectedly. Here a child worker is sent SIGKILL by someone else mid-task.
  it('poolifier#3211: a call whose child worker is SIGKILLed from outside rejects with WorkerCrashedError; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context: 'process' });
    const call = rejection(p.apply(t.pidThenSleep, [file, 30_000]));
    expect(await eventually(() => existsSync(file) && readFileSync(file, 'utf8') !== '')).toBe(true);
    process.kill(Number(readFileSync(file, 'utf8')), 'SIGKILL');
    const err = (await call) as WorkerCrashedError;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.signal).toBe('SIGKILL');
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });
});

describe('bug reports (50), queues and pipes', () => {
  // python/cpython#117531: shutting a queue down did not unblock a get() already waiting on it.
  it('gh-117531: a get() waiting on a queue that this side closes rejects with ClosedError at once', async () => {
    const q = new Queue<number>();
    const waiting = rejection(q.get());
    await sleep(20);
    q.close();
    const err = await within(waiting, 2000);
    expect(err).toBeInstanceOf(ClosedError);
  });

  // aio-libs/janus#295: join() did not raise once the queue was closed.
  it('janus#295: a JoinableQueue join() waiting when this side closes rejects with ClosedError; join() after close too', async () => {
    const jq = new JoinableQueue<number>();
    await jq.put(1);
    const waiting = rejection(jq.join());
    await sleep(20);
    jq.close();
    expect(await within(waiting, 2000)).toBeInstanceOf(ClosedError);
    expect(await rejection(jq.join())).toBeInstanceOf(ClosedError);
  });

  // python/asyncio#235: join() returned at once although items were put and never marked done.
  it('asyncio#235: JoinableQueue join() waits until every item put was marked done', async () => {
    const jq = new JoinableQueue<number>();
    await jq.put(1);
    await jq.put(2);
    let joined = false;
    const done = jq.join().then(() => {
      joined = true;
    });
    expect(await jq.get()).toBe(1);
    jq.taskDone();
    await sleep(50);
    expect(joined).toBe(false);
    expect(await jq.get()).toBe(2);
    jq.taskDone();
    await within(done, 2000);
    expect(joined).toBe(true);
    jq.close();
  });

  // python/cpython#104448 (bpo-42420): join() takes no timeout in Python; asking for one must not
  // silently wait for ever.
  it('gh-104448: JoinableQueue join(ms) is refused with ValidationError (race it with a timer instead)', async () => {
    const jq = new JoinableQueue<number>();
    await jq.put(1);
    expect(await rejection((jq.join as (ms: number) => Promise<void>)(50))).toBeInstanceOf(ValidationError);
    jq.close();
  });

  // adafruit/circuitpython#3421 (and Python's recv_bytes_into): a buffer too small for the message
  // must be an error that keeps the message, not a silent truncation.
  it('circuitpython#3421: recvBytesInto a buffer too small rejects with BufferTooShortError holding the message', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2, 3, 4, 5]));
    a.sendBytes(new Uint8Array([9]));
    const small = new Uint8Array(4);
    const err = (await rejection(b.recvBytesInto(small, 1))) as BufferTooShortError & { data?: Uint8Array };
    expect(err).toBeInstanceOf(BufferTooShortError);
    expect(Array.from(err.data ?? [])).toEqual([1, 2, 3, 4, 5]);
    expect(await b.recvBytesInto(small, 3)).toBe(1);
    expect(Array.from(small)).toEqual([0, 0, 0, 9]);
    expect(() => a.sendBytes(new Uint8Array(4), 2, 3)).toThrow(ValidationError);
    expect(await b.poll()).toBe(false);
    a.close();
    b.close();
  });
});

describe('bug reports (50), shared memory and locks', () => {
  // python/cpython#133017: Array('x', 1) failed with ctypes' "this type has no size"; the error
  // must say which typecodes there are.
  it('gh-133017: a bad typecode is refused with ValidationError naming the accepted typecodes', () => {
    for (const make of [
      () => new Value('x' as never, 0 as never),
      () => new RawValue('x' as never, 0 as never),
      () => new SharedArray('x' as never, 1 as never),
      () => new RawArray('x' as never, [1] as never),
    ]) {
      let err: unknown;
      try {
        make();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      const message = (err as Error).message;
      expect(message).toContain("'x'");
      for (const code of ['b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd']) {
        expect(message).toMatch(new RegExp(`\\b${code}\\b`));
      }
    }
  });

  // python/cpython#76184 (bpo-32003): Array('b', 1) read back as [0], taken for a wrong value: a
  // number is a size, a list is the initial values.
  it('bpo-32003: SharedArray("b", 1) is one zero; SharedArray("b", [1]) holds 1', () => {
    expect(Array.from(new SharedArray('b', 1).view)).toEqual([0]);
    expect(Array.from(new SharedArray('b', [1]).view)).toEqual([1]);
    expect(Array.from(new RawArray('b', 3).view)).toEqual([0, 0, 0]);
  });

  // swarthy/redis-semaphore#125 (and kamilsk/semaphore#10): a timeout of 0 made no attempt at all.
  // As Python's acquire(timeout=0): one try, true when free, false at once when not.
  it('redis-semaphore#125: acquire, wait with a timeout of 0 make one attempt: true when free, false at once', async () => {
    const lock = new Lock();
    expect(await lock.acquire({ timeout: 0 })).toBe(true);
    const start = Date.now();
    expect(await lock.acquire({ timeout: 0 })).toBe(false);
    expect(lock.acquireSync({ timeout: 0 })).toBe(false);
    lock.release();
    const sem = new Semaphore(1);
    expect(await sem.acquire({ timeout: 0 })).toBe(true);
    expect(await sem.acquire(0)).toBe(false);
    const ev = new Event();
    expect(await ev.wait(0)).toBe(false);
    ev.set();
    expect(await ev.wait(0)).toBe(true);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  // python/cpython#77819 (bpo-33638): a condition wait that ended early (timeout) returned without
  // the lock taken again.
  it('bpo-33638: a Condition wait(ms) or waitFor(pred, ms) that times out returns holding the lock again', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    await cond.acquire();
    expect(await cond.wait(20)).toBe(false);
    expect(lock.locked()).toBe(true);
    expect(await cond.waitFor(() => false, 20)).toBe(false);
    expect(lock.locked()).toBe(true);
    cond.notify(); // would throw LockError were the lock not held
    cond.release();
    expect(lock.locked()).toBe(false);
  });

  // python/cpython#112202: a notify() that raced with a waiter leaving (cancelled, here timed out)
  // was lost, and the other waiter slept on.
  it('gh-112202: a notify() after one waiter timed out wakes the waiter still waiting', async () => {
    // A Lock, not the default RLock: these waiters are async functions of one thread (see Condition).
    const cond = new Condition(new Lock());
    const waiter = async (ms: number) => {
      await cond.acquire();
      try {
        return await cond.wait(ms);
      } finally {
        cond.release();
      }
    };
    const short = waiter(20);
    const long = waiter(10_000);
    expect(await short).toBe(false);
    await sleep(20);
    await cond.acquire();
    cond.notify(1);
    cond.release();
    expect(await within(long, 2000)).toBe(true);
  });
});

describe('bug reports (50), manager proxies', () => {
  // python/typeshed#7938: manager.dict() and manager.list() with no argument give an empty dict and list.
  it('typeshed#7938: manager dict() and list() without an argument are empty', {
    timeout: 20_000,
  }, async () => {
    await using manager = Manager();
    const d = manager.dict<string, number>();
    const l = manager.list<number>();
    expect(await d.len()).toBe(0);
    expect(await l.len()).toBe(0);
    await d.set('a', 1);
    await l.append(1);
    expect(await d.len()).toBe(1);
    expect(await l.slice()).toEqual([1]);
  });

  // uqfoundation/multiprocess#81: a dict proxy made from a dict holding a user-defined set
  // subclass failed to rebuild the value. Here: values of built-in classes keep their class.
  it('multiprocess#81: a dict proxy made with Set, Map and Date values gives them back as such', {
    timeout: 20_000,
  }, async () => {
    await using manager = Manager();
    const d = manager.dict<string, unknown>({
      set: new Set([23]),
      map: new Map([['k', 1]]),
      date: new Date(0),
    });
    const set = await d.get('set');
    expect(set).toBeInstanceOf(Set);
    expect([...(set as Set<number>)]).toEqual([23]);
    expect(await d.get('map')).toEqual(new Map([['k', 1]]));
    expect(await d.get('date')).toEqual(new Date(0));
  });

  // python/cpython#76719 (bpo-32538): editing a nested list read from a manager list did not change
  // it (not a bug: it is a copy); setting it back does.
  it('bpo-32538: a nested list read from a list proxy is a copy; setting it back changes the proxy', {
    timeout: 20_000,
  }, async () => {
    await using manager = Manager();
    const grid = manager.list<number[][]>([
      [
        [0, 0],
        [0, 0],
      ],
    ]);
    const plane = (await grid.get(0)) as number[][];
    (plane[1] as number[])[0] = 5;
    expect(await grid.get(0)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    await grid.set(0, plane);
    expect(await grid.get(0)).toEqual([
      [0, 0],
      [5, 0],
    ]);
  });
});

describe('bug reports (50), programs and signals', () => {
  // python/cpython#52543 (bpo-8296, jupyter/jupyter_client#498): Ctrl-C during pool.map did not end
  // the program; spinalcordtoolbox#945: the workers ran on after the KeyboardInterrupt.
  it.each(CONTEXTS)(
    'bpo-8296: Ctrl-C (SIGINT to the whole group) mid-call ends a program with no handler; no worker or child is left (%s)',
    { timeout: 40_000 },
    async (context) => {
      const { signal, pids } = await signalProgram(context, 'no-handler', 'SIGINT', true);
      expect(signal).toBe('SIGINT');
      expect(pids).toHaveLength(3);
      expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
    },
  );

  // spinalcordtoolbox#945 (and other "orphaned workers" reports): killing the parent alone left its
  // pool workers running.
  it.each(CONTEXTS.flatMap((context) => (['SIGKILL', 'SIGTERM'] as const).map((sig) => ({ sig, context }))))(
    'spinalcordtoolbox#945: a program sent $sig alone, mid-call, leaves no pool worker or child running ($context)',
    { timeout: 40_000 },
    async ({ sig, context }) => {
      const { signal, pids } = await signalProgram(context, 'no-handler', sig, false);
      expect(signal).toBe(sig);
      expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
    },
  );

  // dfm/emcee#113 (and bpo-8296's workaround): a SIGINT handler that closes and joins the pool for a
  // graceful end hung, the workers having died of the same Ctrl-C. Every call must settle and
  // join() end; workers hit by the signal fail their call with WorkerCrashedError (SIGINT).
  it.each(CONTEXTS)(
    'emcee#113: on Ctrl-C, a SIGINT handler that closes and joins the pool ends the program; every call settled (%s)',
    { timeout: 40_000 },
    async (context) => {
      const { code, out } = await signalProgram(context, 'graceful', 'SIGINT', true);
      expect(code).toBe(0);
      const { outcomes } = JSON.parse(out[0] as string) as {
        outcomes: { value?: number; error?: string; signal?: string }[];
      };
      expect(outcomes).toHaveLength(2);
      for (const o of outcomes) {
        if (context === 'thread') expect(o).toEqual({ value: 1500 });
        else expect([{ value: 1500 }, { error: 'WorkerCrashedError', signal: 'SIGINT' }]).toContainEqual(o);
      }
    },
  );

  // cokelaer/easydev#6 (Python's recipe): pool workers whose initializer ignores SIGINT finish the
  // calls they run when Ctrl-C comes; the parent's handler then closes and joins the pool.
  it.each(CONTEXTS)(
    'easydev#6: on Ctrl-C, workers whose initializer ignores SIGINT complete their calls; close() and join() end the program (%s)',
    { timeout: 40_000 },
    async (context) => {
      const { code, out } = await signalProgram(context, 'graceful-ignore', 'SIGINT', true);
      expect(code).toBe(0);
      expect(JSON.parse(out[0] as string)).toEqual({ outcomes: [{ value: 1500 }, { value: 1500 }] });
    },
  );
});
