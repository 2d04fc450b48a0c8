// A black-box audit of CONTRACT.md's "IPC" and "Errors" sections, sentence by sentence, through
// the public API with real Processes in both contexts. Where the contract is silent it checks
// Python's behaviour. Other files cover each area in depth; this one keeps every stated behaviour
// in one place, so a regression against the contract's wording shows up here.
import {
  AuthenticationError,
  Client,
  ClosedError,
  type Connection,
  EOFError,
  JoinableQueue,
  Listener,
  Pipe,
  ProcessError,
  Queue,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  SimpleQueue,
  ValidationError,
  wait,
} from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core, killProcesses, startProcess } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/contract-audit-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const T = { timeout: 30_000 };

describe('Pipe and Connection in one thread', () => {
  it('a duplex pipe carries values both ways; a simplex one is [receiveEnd, sendEnd]', async () => {
    const [a, b] = Pipe();
    a.send(1);
    b.send('two');
    expect([await b.recv(), await a.recv()]).toEqual([1, 'two']);
    const [r, s] = Pipe({ duplex: false });
    s.send({ x: 1 });
    expect(await r.recv()).toEqual({ x: 1 });
    // Typed `never` on the wrong end; called anyway (from JavaScript) they name the end.
    expect(() => (r as Connection).send(1)).toThrow(/receive-only end/);
    expect(() => (r as Connection).send(1)).toThrow(ProcessError);
    await expect(Promise.resolve().then(() => (s as Connection).recv())).rejects.toThrow(/send-only end/);
  });

  it('poll() with no argument answers at once; poll(ms) waits; both give booleans', async () => {
    const [a, b] = Pipe();
    expect(await b.poll()).toBe(false);
    expect(await b.poll(10)).toBe(false);
    expect(await b.poll({ timeout: 10 } as any)).toBe(false);
    a.send(1);
    expect(await b.poll()).toBe(true);
    expect(await b.poll(0)).toBe(true);
    await expect(Promise.resolve().then(() => b.poll('x' as any))).rejects.toBeInstanceOf(ValidationError);
  });

  it('sendBytes(buf, offset, size), recvBytes() and recvBytesInto(buf, offset) -> byte count', async () => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2, 3, 4, 5]), 1, 3);
    expect([...(await b.recvBytes())]).toEqual([2, 3, 4]);
    a.sendBytes(Buffer.from('hello'));
    const into = new Uint8Array(8);
    expect(await b.recvBytesInto(into, 2)).toBe(5);
    expect(Buffer.from(into.subarray(2, 7)).toString()).toBe('hello');
    a.sendBytes(new Uint8Array([9, 9]), 1);
    expect([...(await b.recvBytes())]).toEqual([9]);
  });

  it('iteration ends when the other end closes; recv() then gives EOFError after the last value', async () => {
    const [a, b] = Pipe();
    a.send(1);
    a.send(2);
    a.close();
    const got: unknown[] = [];
    for await (const v of b) got.push(v);
    expect(got).toEqual([1, 2]);
    await expect(b.recv()).rejects.toBeInstanceOf(EOFError);
    expect(await b.poll()).toBe(true); // Python: poll() is true at EOF
  });

  it('using a connection after its own close() throws ClosedError', async () => {
    const [a, b] = Pipe();
    a.close();
    expect(() => a.send(1)).toThrow(ClosedError);
    expect(() => a.sendBytes(new Uint8Array(1))).toThrow(ClosedError);
    for (const op of [
      () => a.recv(),
      () => a.poll(),
      () => a.recvBytes(),
      () => a.recvBytesInto(new Uint8Array(1)),
    ])
      await expect(Promise.resolve().then(op)).rejects.toBeInstanceOf(ClosedError);
    a.close(); // closing twice is harmless, as in Python
    b.close();
  });

  it('an unsendable value throws SerializationError naming value.path', () => {
    const [a] = Pipe();
    expect(() => a.send({ onDone: () => {} })).toThrow(SerializationError);
    try {
      a.send({ onDone: () => {} });
    } catch (err) {
      expect((err as Error).message).toContain('value.onDone');
    }
    const q = new Queue();
    expect(() => q.putNowait({ onDone: Symbol('s') })).toThrow(SerializationError);
  });
});

describe('Queue, SimpleQueue and JoinableQueue in one thread', () => {
  it('get/put with timeouts, block: false, nowait forms and the Empty/Full errors', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    expect([q.qsize(), q.empty(), q.full()]).toEqual([0, true, false]);
    await q.put(1);
    q.putNowait(2);
    expect([q.qsize(), q.empty(), q.full()]).toEqual([2, false, true]);
    expect(() => q.putNowait(3)).toThrow(QueueFullError);
    await expect(q.put(3, { timeout: 20 })).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.put(3, 20 as any)).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.put(3, { block: false })).rejects.toBeInstanceOf(QueueFullError);
    expect(await q.get()).toBe(1);
    expect(await q.get({ timeout: 20 })).toBe(2);
    expect(() => q.getNowait()).toThrow(QueueEmptyError);
    await expect(q.get({ timeout: 20 })).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.get(20 as any)).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.get({ block: false })).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(Promise.resolve().then(() => q.get('soon' as any))).rejects.toBeInstanceOf(ValidationError);
    await expect(Promise.resolve().then(() => q.put(1, 'soon' as any))).rejects.toBeInstanceOf(
      ValidationError,
    );
    q.close();
    expect(() => q.putNowait(1)).toThrow(ClosedError);
    await expect(Promise.resolve().then(() => q.get())).rejects.toBeInstanceOf(ClosedError);
    await q.joinThread();
  });

  it('bad options throw ValidationError naming the option', () => {
    expect(() => new Queue({ maxsize: -1.5 } as any)).toThrow(ValidationError);
    expect(() => new Queue({ maxsize: 'x' } as any)).toThrow(/maxsize/);
  });

  it('cancelJoinThread() then close() and joinThread() settle', async () => {
    const q = new Queue<number>();
    await q.put(1);
    q.cancelJoinThread();
    q.close();
    await q.joinThread();
  });

  it('SimpleQueue: put, get, empty, close', async () => {
    const sq = new SimpleQueue<number>();
    expect(sq.empty()).toBe(true);
    await sq.put(1);
    expect(sq.empty()).toBe(false);
    expect(await sq.get()).toBe(1);
    sq.close();
    await expect(Promise.resolve().then(() => sq.get())).rejects.toBeInstanceOf(ClosedError);
  });

  it('JoinableQueue: join() waits for every taskDone(); one too many throws (Python: ValueError)', async () => {
    const jq = new JoinableQueue<number>();
    await jq.join(); // nothing unfinished
    await jq.put(1);
    await jq.put(2);
    let joined = false;
    const j = jq.join().then(() => {
      joined = true;
    });
    await jq.get();
    jq.taskDone();
    await jq.get();
    await new Promise((r) => setTimeout(r, 10));
    expect(joined).toBe(false);
    jq.taskDone();
    await j;
    expect(() => jq.taskDone()).toThrow(ProcessError);
  });
});

describe.each(matrix(import.meta.url))('across a %s', (context) => {
  it(
    'a duplex pipe passed to a Process echoes; the parent closing its copy does not close the child',
    T,
    async () => {
      const [mine, theirs] = Pipe();
      const p = startProcess(context, tasks.echo, [theirs]);
      theirs.close();
      mine.send('a');
      mine.send({ b: [1] });
      expect([await mine.recv(), await mine.recv()]).toEqual(['a', { b: [1] }]);
      mine.close();
      await p.join();
      expect(p.exitCode).toBe(0);
    },
  );

  it.each(['return', 'exit', 'throw'])(
    'bytes and values sent before the worker ends (%s) arrive, then EOFError',
    T,
    async (how) => {
      const [mine, theirs] = Pipe({ duplex: false });
      const p = startProcess(context, tasks.sendBytesThen, [theirs, how]);
      theirs.close();
      await p.join();
      expect([...(await mine.recvBytes())]).toEqual([2, 3, 4]);
      expect(await mine.recv()).toBe('after');
      await expect(mine.recv()).rejects.toBeInstanceOf(EOFError);
    },
  );

  it('a killed holder of a copy never used gives EOFError; recv() does not wait forever', T, async () => {
    const [mine, theirs] = Pipe();
    const p = startProcess(context, tasks.idle, [theirs, 60_000]);
    theirs.close();
    const pending = mine.recv();
    p.kill();
    await expect(pending).rejects.toBeInstanceOf(EOFError);
  });

  it.each(['return', 'exit', 'throw'])(
    'what several workers put before they end (%s) arrives, per-sender FIFO',
    T,
    async (how) => {
      const q = new Queue<[number, number]>();
      const sq = new SimpleQueue<[number, number]>();
      const jq = new JoinableQueue<[number, number]>();
      const ps = [0, 1].map((id) => startProcess(context, tasks.putMany, [[q, sq, jq], id, 50, how]));
      for (const p of ps) await p.join();
      for (const queue of [q, sq, jq]) {
        const got: [number[], number[]] = [[], []];
        for (let i = 0; i < 100; i++) {
          const [id, n] = await queue.get();
          got[id as 0 | 1].push(n);
        }
        expect(got).toEqual([[...Array(50).keys()], [...Array(50).keys()]]);
      }
    },
  );

  it(
    'one end nested in the arguments of two workers: both senders in order, EOFError once both ended',
    T,
    async () => {
      const [mine, theirs] = Pipe({ duplex: false });
      const ps = [0, 1].map((id) => startProcess(context, tasks.sendTagged, [{ conn: theirs }, id, 200]));
      theirs.close();
      const next: [number, number] = [0, 0];
      for await (const [id, i] of mine as AsyncIterable<[0 | 1, number]>) expect(i).toBe(next[id]++);
      expect(next).toEqual([200, 200]);
      await expect(mine.recv()).rejects.toBeInstanceOf(EOFError);
      for (const p of ps) await p.join();
    },
  );

  it("the parent closing its queue after start() leaves the workers' copies working", T, async () => {
    const q = new Queue<[number, number]>();
    const [report, theirs] = Pipe<[number, number]>({ duplex: false });
    const consumer = startProcess(context, tasks.relay, [q, theirs, 30]);
    const producer = startProcess(context, tasks.putTagged, [{ q }, 7, 30]);
    q.close();
    theirs.close();
    const got: number[] = [];
    for await (const [, i] of report) got.push(i);
    expect(got).toEqual([...Array(30).keys()]);
    await producer.join();
    await consumer.join();
    expect([producer.exitCode, consumer.exitCode]).toEqual([0, 0]);
  });

  it.each([
    ['a different authkey', 'other'],
    ['no authkey', null],
  ])('a client in a worker with %s: both sides get AuthenticationError', T, async (_, authkey) => {
    const l = new Listener(undefined, { authkey: 'k' });
    try {
      const accepted = expect(l.accept()).rejects.toBeInstanceOf(AuthenticationError);
      const [report, theirs] = Pipe({ duplex: false });
      const p = startProcess(context, tasks.dial, [l.address, authkey, theirs]);
      theirs.close();
      await accepted;
      expect(await report.recv()).toEqual(['AuthenticationError', 'MP_AUTHENTICATION', true]);
      await p.join();
      expect(p.exitCode).toBe(0);
    } finally {
      l.close();
    }
  });

  it('a JoinableQueue joins when a worker called taskDone() for each item', T, async () => {
    const jq = new JoinableQueue<number>();
    const p = startProcess(context, tasks.consume, [jq, 5]);
    for (let i = 0; i < 5; i++) await jq.put(i);
    await jq.join();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('a worker sees QueueEmptyError with its code', T, async () => {
    const q = new Queue<number>();
    const pool = new core.Pool({ processes: 1, context });
    try {
      expect(await pool.apply(tasks.emptyGet, [q])).toEqual(['QueueEmptyError', 'MP_QUEUE_EMPTY']);
    } finally {
      await pool.terminate();
    }
  });

  it('wait() returns the ready connections, and [] after its timeout', T, async () => {
    const [a, b] = Pipe();
    const [c, d] = Pipe();
    const p = startProcess(context, tasks.echo, [b]);
    b.close();
    expect(await wait([a, c], 20)).toEqual([]);
    a.send(1);
    expect(await wait([a, c], 10_000)).toEqual([a]);
    d.close();
    expect(new Set(await wait([a, c], 10_000))).toEqual(new Set([a, c]));
    a.close();
    await p.join();
  });
});

describe('Listener and Client', () => {
  it(
    'a matching authkey connects both ways; a different one rejects accept() and Client() with AuthenticationError',
    T,
    async () => {
      const l = new Listener(undefined, { authkey: 'k' });
      try {
        const [server, client] = await Promise.all([l.accept(), Client(l.address, { authkey: 'k' })]);
        client.send('hi');
        expect(await server.recv()).toBe('hi');
        server.close();
        await expect(client.recv()).rejects.toBeInstanceOf(EOFError);
        const accepted = expect(l.accept()).rejects.toBeInstanceOf(AuthenticationError);
        await expect(Client(l.address, { authkey: 'other' })).rejects.toBeInstanceOf(AuthenticationError);
        await accepted;
      } finally {
        l.close();
      }
    },
  );

  it.each([
    ['a Unix socket', undefined],
    ['TCP', ['127.0.0.1', 0]],
  ] as const)(
    'a client without the authkey fails with AuthenticationError, and so does accept() (%s)',
    T,
    async (_, address) => {
      const l = new Listener(address as any, { authkey: 'k' });
      try {
        await l.ready(); // a TCP port is bound asynchronously in Node
        const accepted = expect(l.accept()).rejects.toBeInstanceOf(AuthenticationError);
        await expect(Client(l.address)).rejects.toBeInstanceOf(AuthenticationError);
        await accepted;
        // The listener stays usable after a failed handshake, as Python's.
        const [server, client] = await Promise.all([l.accept(), Client(l.address, { authkey: 'k' })]);
        server.send(1);
        expect(await client.recv()).toBe(1);
        client.close();
        server.close();
      } finally {
        l.close();
      }
    },
  );
});

describe('Errors', () => {
  // The contract's table: each name is one class, defined in the lowest package that throws it,
  // re-exported above it as the identical class, with a stable code; all extend ProcessError.
  const CONTRACT_ERRORS: [name: string, lowest: 'shared' | 'ipc' | 'core', code: string][] = [
    ['ProcessError', 'shared', 'MP_PROCESS'],
    ['ValidationError', 'shared', 'MP_VALIDATION'],
    ['LockError', 'shared', 'MP_LOCK'],
    ['BrokenBarrierError', 'shared', 'MP_BROKEN_BARRIER'],
    ['TimeoutError', 'shared', 'MP_TIMEOUT'],
    ['ContextError', 'shared', 'MP_CONTEXT'],
    ['SerializationError', 'shared', 'MP_SERIALIZATION'],
    ['ClosedError', 'shared', 'MP_CLOSED'],
    ['EOFError', 'ipc', 'MP_EOF'],
    ['QueueEmptyError', 'ipc', 'MP_QUEUE_EMPTY'],
    ['QueueFullError', 'ipc', 'MP_QUEUE_FULL'],
    ['WorkerCrashedError', 'core', 'MP_WORKER_CRASHED'],
    ['PoolClosedError', 'core', 'MP_POOL_CLOSED'],
  ];
  const LAYERS = ['shared', 'ipc', 'core'] as const;

  it.each(CONTRACT_ERRORS)(
    '%s: one class from %s up, code %s, a ProcessError',
    async (name, lowest, code) => {
      const shared: Record<string, any> = await import('@multiproc/shared');
      const ipc: Record<string, any> = await import('@multiproc/ipc');
      const packages = { shared, ipc, core };
      const C = packages[lowest][name];
      expect(C, `${lowest} exports ${name}`).toBeTypeOf('function');
      for (const layer of LAYERS.slice(0, LAYERS.indexOf(lowest)))
        expect(packages[layer][name]).toBeUndefined();
      for (const layer of LAYERS.slice(LAYERS.indexOf(lowest))) expect(packages[layer][name]).toBe(C);
      expect(C.prototype.code).toBe(code);
      expect(C.prototype.name).toBe(name);
      if (name === 'ProcessError') expect(Object.getPrototypeOf(C.prototype)).toBe(Error.prototype);
      else expect(C.prototype).toBeInstanceOf(ProcessError);
      if (name === 'PoolClosedError') expect(C.prototype).toBeInstanceOf(ClosedError);
    },
  );

  it('errors the ipc calls throw carry their class, name and code', async () => {
    const q = new Queue();
    const [a, b] = Pipe();
    a.close();
    const caught = [
      (() => {
        try {
          q.getNowait();
        } catch (err) {
          return err;
        }
      })(),
      await b.recv().catch((err: unknown) => err),
    ] as Error[];
    expect(caught[0]).toBeInstanceOf(QueueEmptyError);
    expect(caught[0]).toMatchObject({ name: 'QueueEmptyError', code: 'MP_QUEUE_EMPTY' });
    expect(caught[1]).toBeInstanceOf(EOFError);
    expect(caught[1]).toMatchObject({ name: 'EOFError', code: 'MP_EOF' });
    expect(new AuthenticationError('')).toBeInstanceOf(ProcessError); // Python: a ProcessError too
    b.close();
  });
});
