// Python's `multiprocessing` documentation, checked against this library: every example of
// Doc/library/multiprocessing.rst and Doc/includes/mp_*.py ported line by line and run as a whole
// program (fixtures/python-docs-program.mjs) in both contexts, then the doctests and the behaviour
// sentences of its reference part. Where the contract deviates on purpose (camelCase, ms,
// Promises, error classes), the case says so.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mp, {
  Barrier,
  BrokenBarrierError,
  BufferTooShortError,
  ClosedError,
  ContextError,
  Event,
  JoinableQueue,
  Lock,
  LockError,
  Manager,
  MessageTooLongError,
  Pipe,
  Pool,
  PoolClosedError,
  Process,
  ProcessError,
  Queue,
  QueueEmptyError,
  QueueFullError,
  RawValue,
  RLock,
  SharedArray,
  TimeoutError,
  ValidationError,
  Value,
} from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/python-docs-tasks.mjs';

type Context = 'thread' | 'process';
const CONTEXTS: Context[] = ['thread', 'process'];
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Runs one example program; resolves with its exit code and stdout lines. */
function runExample(example: string, context: Context): Promise<{ code: number; lines: string[] }> {
  const file = fileURLToPath(new URL('./fixtures/python-docs-program.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, example, context], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err?.killed) reject(new Error(`${example} did not end: ${stdout} ${stderr}`));
      else if (err && typeof err.code !== 'number') reject(err);
      else if (err) reject(new Error(`${example} exited with ${err.code}: ${stdout} ${stderr}`));
      else resolve({ code: 0, lines: stdout.trimEnd().split('\n') });
    });
  });
}

describe.each(CONTEXTS)('the examples of Python’s multiprocessing docs, %s context', (context) => {
  const example = (name: string) => runExample(name, context).then((r) => r.lines);

  it('Introduction: Pool(5).map(f, [1, 2, 3])', { timeout: 40_000 }, async () => {
    expect(await example('introPool')).toEqual(['[1,4,9]']);
  });

  it('The Process class: hello bob, and the expanded example with process ids', {
    timeout: 40_000,
  }, async () => {
    expect(await example('processHello')).toEqual(['hello bob']);
    const lines = await example('processInfo');
    expect(lines.slice(0, 2)).toEqual(['main line', 'module name: __main__']);
    expect(lines.slice(4, 6)).toEqual(['function f', 'module name: __mp_main__']);
    expect(lines[8]).toBe('hello bob');
    const mainPid = lines[3]?.replace('process id: ', '');
    expect(lines[6]).toBe(`parent process: ${mainPid}`); // the child's parent is the main program
    const childPid = lines[7]?.replace('process id: ', '');
    expect(childPid === mainPid).toBe(context === 'thread');
  });

  it('Contexts and start methods: set_start_method and get_context', { timeout: 40_000 }, async () => {
    expect(await example('setStartMethod')).toEqual(['hello']);
    expect(await example('getContext')).toEqual(['hello']);
  });

  it('Exchanging objects between processes: Queue and Pipe', { timeout: 40_000 }, async () => {
    expect(await example('queue')).toEqual(['[42,null,"hello"]']);
    expect(await example('pipe')).toEqual(['[42,null,"hello"]']);
  });

  it('Synchronization: ten processes print under a lock; the program waits for them', {
    timeout: 40_000,
  }, async () => {
    const lines = await example('lock');
    expect(lines.sort()).toEqual(range(10).map((i) => `hello world ${i}`));
  });

  it('Sharing state: Value and Array, and a Manager’s dict and list', { timeout: 40_000 }, async () => {
    expect(await example('valueArray')).toEqual(['3.1415927', '[0,-1,-2,-3,-4,-5,-6,-7,-8,-9]']);
    expect(await example('manager')).toEqual(['[[1,"1"],["2",2],[0.25,null]]', '[9,8,7,6,5,4,3,2,1,0]']);
  });

  it('Using a pool of workers (map, imap_unordered, apply_async, get(timeout))', {
    timeout: 40_000,
  }, async () => {
    const squares = '[0,1,4,9,16,25,36,49,64,81]';
    expect(await example('poolOfWorkers')).toEqual([
      squares,
      squares,
      '400',
      'true',
      '4',
      'We lacked patience and got a multiprocessing.TimeoutError',
      'For the moment, the pool remains available for more work',
      'Now the pool is closed and no longer available',
    ]);
  });

  it('The Pool reference example: imap’s next() and next(timeout)', { timeout: 40_000 }, async () => {
    const squares = '[0,1,4,9,16,25,36,49,64,81]';
    expect(await example('poolReference')).toEqual(['100', squares, '0', '1', '4', 'TimeoutError']);
  });

  it('Listeners and Clients, and wait() on several pipes', { timeout: 40_000 }, async () => {
    expect(await example('listenerClient')).toEqual([
      'connection accepted true',
      '[2.25,null,"junk","float"]',
      'hello',
      '8',
      '42,1729,0,0,0',
    ]);
    expect(await example('waitReaders')).toEqual(['40 4']);
  });

  it('mp_workers.py: queues feed four workers that are never joined', { timeout: 40_000 }, async () => {
    const lines = await example('mpWorkers');
    expect(lines[0]).toBe('Unordered results:');
    const said = lines.slice(1).map((l) => l.replace(/^\t Process-\d says that /, ''));
    expect(lines.slice(1).every((l) => /^\t Process-[1-4] says that /.test(l))).toBe(true);
    expect(said.slice(0, 20).sort()).toEqual(
      range(20)
        .map((i) => `mul(${i}, 7) = ${i * 7}`)
        .sort(),
    );
    expect(said.slice(20).sort()).toEqual(
      range(10)
        .map((i) => `plus(${i}, 8) = ${i + 8}`)
        .sort(),
    );
  });

  it('mp_pool.py: results, benchmarks’ values, errors, timeouts, callbacks, close, terminate', {
    timeout: 40_000,
  }, async () => {
    expect(await example('mpPool')).toEqual([
      'cpu_count() = true',
      'ordered true',
      'unordered true mul(0, 7) = 0 plus(9, 8) = 17',
      'pow3 true',
      'noop true',
      'Testing error handling:',
      '\tapply ZeroDivisionError',
      '\tmap ZeroDivisionError',
      '\timap ZeroDivisionError',
      '\tIMapIterator.next() ends at 10',
      'ApplyResult.get() with timeout: mul(0, 7) = 0',
      'IMapIterator.next() with timeout: true',
      '\tcallbacks succeeded',
      'close() succeeded true',
      'terminate() succeeded true',
    ]);
  });

  it('Programming guidelines: join() before get() of a big item does not deadlock here', {
    timeout: 40_000,
  }, async () => {
    expect(await example('joinBeforeGet')).toEqual(['0 1000000']); // Python deadlocks: an improvement
  });

  it('Using a remote manager: one client puts, another gets', { timeout: 40_000 }, async () => {
    expect(await example('remoteManager')).toEqual(['hello', '0 0']);
  });
});

describe('the doctests of Python’s multiprocessing docs', () => {
  it('Connection: send/recv, send_bytes/recv_bytes, recv_bytes_into an array', async () => {
    const [a, b] = Pipe();
    try {
      a.send([1, 'hello', null]);
      expect(await b.recv()).toEqual([1, 'hello', null]);
      b.sendBytes(new TextEncoder().encode('thank you'));
      expect(new TextDecoder().decode(await a.recvBytes())).toBe('thank you');
      const arr1 = new Int32Array(range(5));
      const arr2 = new Int32Array(10);
      a.sendBytes(arr1);
      const count = await b.recvBytesInto(arr2);
      expect(count).toBe(arr1.length * arr1.BYTES_PER_ELEMENT);
      expect(Array.from(arr2)).toEqual([0, 1, 2, 3, 4, 0, 0, 0, 0, 0]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('Connection: recv_bytes_into at an offset; a short buffer is BufferTooShort with the message', async () => {
    const [a, b] = Pipe();
    try {
      a.sendBytes(new Uint8Array([1, 2, 3]));
      const buf = new Uint8Array(5);
      expect(await b.recvBytesInto(buf, 2)).toBe(3);
      expect(Array.from(buf)).toEqual([0, 0, 1, 2, 3]);
      a.sendBytes(new Uint8Array([9, 9, 9]));
      const err = await b.recvBytesInto(new Uint8Array(2)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BufferTooShortError);
      expect(Array.from((err as BufferTooShortError).data as Uint8Array)).toEqual([9, 9, 9]);
      a.sendBytes(new Uint8Array(10)); // recv_bytes(maxlength): a longer message is refused
      await expect(b.recvBytes(4)).rejects.toBeInstanceOf(MessageTooLongError);
    } finally {
      a.close();
      b.close();
    }
  });

  it('Proxy objects: a list, indexing and slicing, nested lists and dicts', async () => {
    const manager = Manager();
    try {
      const l = manager.list(range(10).map((i) => i * i));
      expect(await l.copy()).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
      expect(await l.get(4)).toBe(16);
      expect(await l.slice(2, 5)).toEqual([4, 9, 16]);
      const a = manager.list<unknown>();
      const b = manager.list<string>();
      await a.append(b); // the referent of a now contains the referent of b
      await b.append('hello');
      expect(await ((await a.get(0)) as typeof b).copy()).toEqual(['hello']);
      const lOuter = manager.list([manager.dict(), manager.dict()]);
      const dFirstInner = (await lOuter.get(0)) as ReturnType<typeof manager.dict>;
      await dFirstInner.set('a', 1);
      await dFirstInner.set('b', 2);
      await ((await lOuter.get(1)) as ReturnType<typeof manager.dict>).set('c', 3);
      await ((await lOuter.get(1)) as ReturnType<typeof manager.dict>).set('z', 26);
      const inner = async (i: number) => [
        ...(await ((await lOuter.get(i)) as ReturnType<typeof manager.dict>).copy()),
      ];
      expect(await inner(0)).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
      expect(await inner(1)).toEqual([
        ['c', 3],
        ['z', 26],
      ]);
      const lproxy = manager.list<Record<string, number>>(); // a plain dict inside: re-assign it
      await lproxy.append({});
      const d = await lproxy.get(0);
      d.a = 1;
      expect(await lproxy.get(0)).toEqual({});
      await lproxy.set(0, d);
      expect(await lproxy.get(0)).toEqual({ a: 1 });
      expect(await l.callMethod('len')).toBe(10); // Python: l._callmethod('__len__')
      await expect(l.get(20)).rejects.toBeInstanceOf(ValidationError); // Python: IndexError
    } finally {
      await manager.shutdown();
    }
  });

  it('Namespace: attributes, and a leading _ stays on the proxy', async () => {
    const manager = Manager();
    try {
      const Global = manager.Namespace();
      await Global.set('x', 10);
      await Global.set('y', 'hello');
      expect(await Global.get('x')).toBe(10);
      expect(await Global.get('y')).toBe('hello');
    } finally {
      await manager.shutdown();
    }
  });

  it('Customized managers: MyManager.register("Maths", MathsClass); mp_newtype’s exposed', async () => {
    class MathsClass {
      add(x: number, y: number) {
        return x + y;
      }
      mul(x: number, y: number) {
        return x * y;
      }
    }
    class Foo {
      f() {
        return 'you called Foo.f()';
      }
      g() {
        return 'you called Foo.g()';
      }
      _h() {
        return 'you called Foo._h()';
      }
    }
    const manager = new mp.BaseManager()
      .register('Maths', MathsClass)
      .register('Foo1', Foo)
      .register('Foo2', Foo, { exposed: ['g', '_h'] });
    await manager.start();
    try {
      const maths = await manager.Maths();
      expect(await maths.add(4, 3)).toBe(7);
      expect(await maths.mul(7, 8)).toBe(56);
      const f1 = await manager.Foo1();
      expect(await f1.f()).toBe('you called Foo.f()');
      expect(await f1.g()).toBe('you called Foo.g()');
      await expect(f1._h()).rejects.toThrow(); // not public
      const f2 = await manager.Foo2();
      expect(await f2.g()).toBe('you called Foo.g()');
      expect(await f2._h()).toBe('you called Foo._h()');
      await expect(f2.f()).rejects.toBeInstanceOf(ValidationError); // not exposed
    } finally {
      await manager.shutdown();
    }
  });
});

const pools: Pool[] = [];
const started: Process[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) {
    try {
      if (p.isAlive()) p.kill();
    } catch (err) {
      if (!(err instanceof ClosedError)) throw err; // the test closed it
    }
  }
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});
function pool(options: ConstructorParameters<typeof Pool>[0]): Pool {
  const p = new Pool(options);
  pools.push(p);
  return p;
}

describe.each(CONTEXTS)('the documented behaviours of Pool and Process, %s context', (context) => {
  it('imap’s next(timeout) rejects with TimeoutError and the awaited result comes with the next next()', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const it = p.imap(tasks.nap, [300, 0], { chunksize: 1 });
    await expect(it.next(20)).rejects.toBeInstanceOf(TimeoutError);
    await expect(it.next({ timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(it.next(-1)).rejects.toBeInstanceOf(TimeoutError); // negative: no wait
    expect(await it.next()).toEqual({ value: 300, done: false }); // the result waited for
    expect(await it.next(5000)).toEqual({ value: 0, done: false });
    expect(await it.next(5000)).toEqual({ value: undefined, done: true });
    await expect(it.next('1' as never)).rejects.toBeInstanceOf(ValidationError);
    const un = p.imapUnordered(tasks.nap, [200]);
    await expect(un.next(10)).rejects.toBeInstanceOf(TimeoutError);
    const [a, b] = await Promise.all([un.next(), un.next()]); // concurrent calls: each gets its own step
    expect([a, b]).toEqual([
      { value: 200, done: false },
      { value: undefined, done: true },
    ]);
  });

  it('close() lets submitted tasks finish, then submitting fails; join() waits', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const r = p.applyAsync(tasks.slowly, [5, 200]);
    p.close();
    await expect(p.apply(tasks.square, [2])).rejects.toBeInstanceOf(PoolClosedError);
    expect(() => p.applyAsync(tasks.square, [2])).toThrow(PoolClosedError);
    await p.join();
    expect(r.ready()).toBe(true);
    expect(await r.get()).toBe(5);
  });

  it('AsyncResult: ready() false and successful() throwing before ready; get() re-raises', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const r = p.applyAsync(tasks.slowly, [1, 300]);
    expect(r.ready()).toBe(false);
    expect(() => r.successful()).toThrow(ProcessError); // Python: ValueError
    await expect(r.get(10)).rejects.toBeInstanceOf(TimeoutError);
    expect(await r.wait()).toBe(true);
    expect(r.successful()).toBe(true);
    const bad = p.applyAsync(tasks.fail, ['nope']);
    await expect(bad.get()).rejects.toMatchObject({ name: 'RangeError', message: 'nope' });
    expect(bad.successful()).toBe(false);
  });

  it('apply_async and map_async callbacks; error_callback gets the exception', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const got: unknown[] = [];
    await p.applyAsync(tasks.square, [7], { callback: (v) => got.push(v) }).wait();
    await p.mapAsync(tasks.square, [1, 2], { callback: (v) => got.push(v) }).wait();
    await p.starmapAsync(tasks.add, [[1, 2]], { callback: (v) => got.push(v) }).wait();
    let error: unknown;
    await p.applyAsync(tasks.fail, ['x'], { errorCallback: (e) => (error = e) }).wait();
    expect(got).toEqual([49, [1, 4], [3]]);
    expect(error).toMatchObject({ name: 'RangeError', message: 'x' });
  });

  it('starmap unpacks each item; imap_unordered with one worker keeps the order', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(
      await p.starmap(tasks.add, [
        [1, 2],
        [3, 4],
      ]),
    ).toEqual([3, 7]);
    const out: number[] = [];
    for await (const v of p.imapUnordered(tasks.square, range(6), { chunksize: 1 })) out.push(v);
    expect(out).toEqual([0, 1, 4, 9, 16, 25]);
  });

  it('initializer(*initargs) runs in each worker; maxtasksperchild replaces a worker', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context, initializer: tasks.init, initargs: ['a', 'b'] });
    expect(await p.map(tasks.readInit, [0, 1, 2, 3] as never[], { chunksize: 1 })).toEqual([
      'a-b',
      'a-b',
      'a-b',
      'a-b',
    ]);
    const q = pool({ processes: 1, context, maxTasksPerChild: 1 });
    const who = [
      await q.apply(tasks.whoAmI, []),
      await q.apply(tasks.whoAmI, []),
      await q.apply(tasks.whoAmI, []),
    ];
    expect(new Set(who).size).toBe(3);
  });

  it('Process: pid null before start, join before start refused, exitcode of throw/exit, close', {
    timeout: 20_000,
  }, async () => {
    const p = new Process({ target: tasks.exitWith, args: [3], context });
    expect(p.pid ?? null).toBeNull();
    expect(p.exitCode).toBeNull();
    await expect(Promise.resolve().then(() => p.join())).rejects.toBeInstanceOf(ProcessError);
    started.push(p);
    p.start();
    expect(() => p.start()).toThrow(ProcessError);
    await p.join();
    await p.join(); // a process can be joined many times
    expect(p.exitCode).toBe(3);
    const t = new Process({ target: tasks.throwTop, context });
    started.push(t);
    t.start();
    await t.join();
    expect(t.exitCode).toBe(1);
    t.close();
    expect(() => t.isAlive()).toThrow(ClosedError); // Python: ValueError after close()
    const s = new Process({ target: tasks.sleepMs, args: [10_000], context });
    started.push(s);
    s.start();
    expect(s.isAlive()).toBe(true);
    expect(() => s.close()).toThrow(ProcessError); // Python: ValueError, the process still runs
    expect(mp.activeChildren()).toContain(s);
    await s.join(20); // the timeout passes: join resolves, exitCode still null
    expect(s.exitCode).toBeNull();
    await s.terminate();
    expect(s.exitCode).toBe(-15);
    expect(s.isAlive()).toBe(false);
    expect(mp.activeChildren()).not.toContain(s);
  });

  it('parent_process(): null in the main program, the parent in a worker; names Process-N', {
    timeout: 20_000,
  }, async () => {
    expect(mp.parentProcess()).toBeNull();
    expect(mp.currentProcess().name).toBe('MainProcess');
    const p = pool({ processes: 1, context });
    const parent = await p.apply(tasks.parent, []);
    expect(parent).toMatchObject({ pid: process.pid, name: 'MainProcess' });
    expect(new Process({ target: tasks.square, args: [1], context }).name).toMatch(/^Process-\d+$/);
  });

  it('Lock/RLock: any thread may release a Lock; an RLock only by its owner; acquire(timeout)', {
    timeout: 20_000,
  }, async () => {
    const ctx = mp.getContext(context);
    const lock = ctx.Lock();
    const p = pool({ processes: 1, context });
    expect(await lock.acquire()).toBe(true);
    expect(await lock.acquire({ timeout: 20 })).toBe(false);
    expect(await lock.acquire({ block: false })).toBe(false);
    expect(await lock.acquire({ timeout: -1 })).toBe(false); // negative: as a timeout of zero
    expect(await p.apply(tasks.release, [lock])).toBe('released');
    expect(await lock.acquire({ timeout: 1000 })).toBe(true);
    lock.release();
    if (context === 'thread') expect(() => lock.release()).toThrow(LockError); // Python: ValueError
    const rlock = ctx.RLock();
    expect(await rlock.acquire()).toBe(true);
    expect(await rlock.acquire()).toBe(true); // re-entrant
    expect(await p.apply(tasks.release, [rlock])).toBe('LockError'); // Python: AssertionError
    rlock.release();
    rlock.release();
  });
});

describe('the documented behaviours of queues and shared objects', () => {
  it('Queue: get(block=False) and get_nowait raise Empty; put(block=False) on a full one raises Full', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    try {
      await expect(q.get({ block: false })).rejects.toBeInstanceOf(QueueEmptyError);
      expect(() => q.getNowait()).toThrow(QueueEmptyError);
      await expect(q.get({ timeout: 10 })).rejects.toBeInstanceOf(QueueEmptyError);
      await q.put(1);
      await expect(q.put(2, { block: false })).rejects.toBeInstanceOf(QueueFullError);
      expect(() => q.putNowait(2)).toThrow(QueueFullError);
      await expect(q.put(2, { timeout: 10 })).rejects.toBeInstanceOf(QueueFullError);
      expect(q.full()).toBe(true);
      expect(q.qsize()).toBe(1);
      expect(await q.get()).toBe(1);
      expect(q.empty()).toBe(true);
    } finally {
      q.close();
    }
    expect(() => q.putNowait(1)).toThrow(ClosedError); // Python: ValueError once closed
  });

  it('JoinableQueue: task_done() more times than items raises; join() resumes when all are done', async () => {
    const jq = new JoinableQueue<number>();
    try {
      await jq.put(1);
      await jq.put(2);
      const joined = jq.join();
      await jq.get();
      jq.taskDone();
      await jq.get();
      jq.taskDone();
      await joined;
      expect(() => jq.taskDone()).toThrow(ValidationError); // Python: ValueError
    } finally {
      jq.close();
    }
  });

  it('Barrier: action runs once per cycle before release; abort() breaks the waiting parties', {
    timeout: 20_000,
  }, async () => {
    let actions = 0;
    const bar = new Barrier(2, { action: () => (actions += 1) });
    const arrivals = await Promise.all([bar.wait(), bar.wait()]);
    expect(arrivals.sort()).toEqual([0, 1]);
    expect(actions).toBe(1);
    const waiting = bar.wait().catch((e: unknown) => e);
    bar.abort();
    expect(await waiting).toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
    bar.reset();
    expect(bar.broken).toBe(false);
    await expect(bar.wait(10)).rejects.toBeInstanceOf(BrokenBarrierError); // a timeout breaks it
  });

  it('Value(lock=False) is raw; Array slices; Event.wait(timeout) returns the flag', async () => {
    const raw = new Value('i', 7, { lock: false });
    expect(raw).toBeInstanceOf(RawValue);
    expect('getLock' in raw).toBe(false);
    const counter = new Value('i', 0);
    await counter.getLock().withLock(() => {
      counter.value += 1;
    });
    expect(counter.value).toBe(1);
    const shared = new Value('d', 0, { lock: new RLock() });
    expect(shared.getLock()).toBeInstanceOf(RLock);
    const arr = new SharedArray('i', range(10));
    expect(Array.from(arr.slice(2, 5))).toEqual([2, 3, 4]);
    arr.setSlice(0, [9, 9]);
    expect(arr.get(-1)).toBe(9);
    expect(Array.from(arr.slice(0, 3))).toEqual([9, 9, 2]);
    expect(Array.from(mp.Array('i', 3).slice())).toEqual([0, 0, 0]);
    const ev = new Event();
    expect(await ev.wait(10)).toBe(false);
    ev.set();
    expect(await ev.wait(10)).toBe(true);
    const lock = new Lock();
    expect(await lock.acquire({ timeout: 0 })).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    lock.release();
  });

  it('get_context, start methods, cpu_count', () => {
    expect(() => mp.getContext('fork' as never)).toThrow(ContextError); // Python: ValueError
    expect(mp.getAllStartMethods()[0]).toBe(mp.getStartMethod());
    expect(mp.cpuCount()).toBeGreaterThanOrEqual(1);
  });
});
