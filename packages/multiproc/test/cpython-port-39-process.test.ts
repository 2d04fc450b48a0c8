// Cases of CPython's Lib/test/_test_multiprocessing.py that cpython-port-29 leaves out, for
// processes: the rest of _TestProcess, _TestSubclassingProcess, TestStartMethod,
// TestForkAwareThreadLock and _TestAtExit, ported to this API (camelCase, Promises, milliseconds).
// Each runs in both contexts where Python runs it with processes; where the API differs, the case
// says so. Not ported (nothing to port in this API): test_set_executable, test_lose_target_ref
// (weak references), test_child_fd_inflation, the forkserver cases, _TestFinalize (no
// util.Finalize: process.on('exit') is the hook, see _TestAtExit), _TestLogging.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mp, {
  ClosedError,
  currentProcess,
  getContext,
  ProcessError,
  ValidationError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { CONTEXTS, processesKilledAfterEach, queuesClosedAfterEach } from './cpython-kit.ts';
import { procs } from './fixtures/cpython-port-39-tasks.mjs';

type Loose = Record<string, (...args: unknown[]) => Promise<unknown>>;

const { queue } = queuesClosedAfterEach();
// registered last: the Processes are killed before the queues close
const { killAfterTest, start } = processesKilledAfterEach();

describe('_TestProcess.test_current and test_cpu_count (this program)', () => {
  it('currentProcess() is alive, not a daemon, has a key, its ident is the pid, no exit code', () => {
    const current = currentProcess();
    expect(current.isAlive()).toBe(true);
    expect(current.daemon).toBe(false);
    expect(current.authkey).toBeInstanceOf(Uint8Array);
    expect(current.authkey.length).toBeGreaterThan(0);
    expect(current.ident).toBe(process.pid);
    expect(current.exitCode).toBeNull();
    expect(current.name).toBe('MainProcess');
    expect(mp.parentProcess()).toBeNull();
  });

  it('cpuCount() is an integer of at least 1', () => {
    expect(Number.isInteger(mp.cpuCount())).toBe(true);
    expect(mp.cpuCount()).toBeGreaterThanOrEqual(1);
  });
});

describe.each(CONTEXTS)('_TestProcess (the rest) in the %s context', (context) => {
  const ctx = getContext(context);

  it('test_process: the worker sees its arguments, its name, the parent’s authkey and its pid', {
    timeout: 30_000,
  }, async () => {
    const q = queue<unknown>();
    const p = new mp.Process({ target: procs.report, args: [q, 1, 2], name: 'SomeProcess', context });
    killAfterTest(p);
    expect([...p.authkey]).toEqual([...currentProcess().authkey]);
    p.start();
    expect(await q.get({ timeout: 20_000 })).toEqual([1, 2]);
    expect(await q.get({ timeout: 20_000 })).toBe('SomeProcess');
    expect(await q.get({ timeout: 20_000 })).toEqual([...currentProcess().authkey]);
    expect(await q.get({ timeout: 20_000 })).toBe(p.pid);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });

  it('test_args_argument: each kind of argument arrives as given', { timeout: 30_000 }, async () => {
    const cases: unknown[] = [1, 'str', [1], new Uint8Array([1, 2])];
    const q = queue<unknown>();
    const started = cases.map((arg) => {
      const p = new mp.Process({ target: procs.putArg, args: [q, arg], context, daemon: true });
      killAfterTest(p);
      p.start();
      return p;
    });
    for (const p of started) await p.join(20_000);
    const got: unknown[] = [];
    for (const _ of cases) got.push(await q.get({ timeout: 5000 }));
    const key = (v: unknown) => (typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? 'undefined'));
    expect(got.map(key).sort()).toEqual(cases.map(key).sort());
    expect(got.find((v) => v instanceof Uint8Array)).toEqual(new Uint8Array([1, 2]));
  });

  it('test_daemon_argument: the default is the current process’s flag, also one level down', {
    timeout: 30_000,
  }, async () => {
    expect(new mp.Process({ target: procs.napFor, args: [0], context }).daemon).toBe(currentProcess().daemon);
    expect(new mp.Process({ target: procs.napFor, args: [0], context, daemon: true }).daemon).toBe(true);
    expect(new mp.Process({ target: procs.napFor, args: [0], context, daemon: false }).daemon).toBe(false);
    const q = queue<[boolean, boolean]>();
    for (const daemon of [true, false]) {
      const p = new mp.Process({ target: procs.childDaemonDefault, args: [q], context, daemon });
      killAfterTest(p);
      p.start();
      expect(await q.get({ timeout: 20_000 })).toEqual([daemon, daemon]);
      await p.join(20_000);
    }
  });

  it('a daemon may not have children: its start() throws ContextError (Python: AssertionError)', {
    timeout: 30_000,
  }, async () => {
    const q = queue<string>();
    for (const daemon of [true, false]) {
      const p = new mp.Process({ target: procs.startChild, args: [q], context, daemon });
      killAfterTest(p);
      p.start();
      expect(await q.get({ timeout: 20_000 })).toBe(daemon ? 'ContextError' : 'started');
      await p.join(20_000);
    }
  });

  it('test_parent_process_attributes: the worker’s parentProcess() is this program', {
    timeout: 30_000,
  }, async () => {
    const [rconn, wconn] = mp.Pipe<[number, string] | null>({ duplex: false });
    const p = start(context, procs.sendParent, [wconn]);
    await p.join(20_000);
    expect(await rconn.recv()).toEqual([process.pid, currentProcess().name]);
    rconn.close();
    wconn.close();
  });

  it('test_parent_process: a grandchild sees its parent alive, and ends when its parent is terminated', {
    timeout: 30_000,
  }, async () => {
    const [rconn, wconn] = mp.Pipe<string>({ duplex: false });
    const p = start(context, procs.startGrandchild, [wconn, context]);
    wconn.close();
    expect(await rconn.poll(20_000)).toBe(true);
    expect(await rconn.recv()).toBe('alive');
    await p.terminate();
    await p.join(20_000);
    // Python's grandchild joins its parent and reports "not alive"; here a worker ends with its
    // parent, so the pipe end the grandchild held is closed: the reader sees EOF.
    expect(await rconn.poll(20_000)).toBe(true);
    await expect(rconn.recv()).rejects.toBeInstanceOf(mp.EOFError);
    rconn.close();
  });

  it('test_process_mainthread_native_id: the target runs in another thread or process', {
    timeout: 30_000,
  }, async () => {
    const q = queue<[number, number]>();
    const p = start(context, procs.whereAmI, [q]);
    const [pid, threadId] = await q.get({ timeout: 20_000 });
    await p.join(20_000);
    if (context === 'thread') {
      expect(pid).toBe(process.pid);
      expect(threadId).not.toBe(0);
      expect(threadId).toBe(p.threadId);
    } else {
      expect(pid).not.toBe(process.pid);
      expect(pid).toBe(p.pid);
    }
  });

  it('test_close: after close() every state read and every method throws ClosedError', {
    timeout: 30_000,
  }, async () => {
    const p = start(context, procs.napFor, [0]);
    await p.join(20_000);
    p.close();
    for (const read of [
      () => p.pid,
      () => p.exitCode,
      () => p.sentinel,
      () => p.threadId,
      () => p.isAlive(),
    ]) {
      expect(read).toThrow(ClosedError);
    }
    expect(() => p.kill()).toThrow(ClosedError);
    expect(() => p.interrupt()).toThrow(ClosedError);
    expect(() => p.start()).toThrow(ClosedError);
    await expect(Promise.resolve().then(() => p.terminate())).rejects.toBeInstanceOf(ClosedError);
    await expect(mp.wait([p], 0)).rejects.toBeInstanceOf(ClosedError);
    expect(p.name).toMatch(/^Process-/); // Python keeps the name readable too
    expect(String(p)).toContain('closed');
  });

  it('test_error_on_stdio_flush_2: a target that breaks its stdout or stderr still ends with 0', {
    timeout: 30_000,
  }, async () => {
    const cases = [
      ['stdout', 'destroy'],
      ['stderr', 'end'],
    ] as const;
    const events = cases.map(() => ctx.Event() as unknown as Loose);
    const started = cases.map(([stream, how], i) =>
      start(context, procs.breakStream, [events[i], stream, how]),
    );
    for (const p of started) await p.join(20_000);
    expect(started.map((p) => p.exitCode)).toEqual([0, 0]);
    for (const ev of events) expect(await ev.isSet!()).toBe(true);
  });

  it('test_sys_exit: process.exit() with no code, with 0 and with 8; process.exitCode set by the target', {
    timeout: 30_000,
  }, async () => {
    const cases: [Parameters<typeof procs.exitWith>[0] | 'exitCode', number][] = [
      [undefined, 0],
      [0, 0],
      [8, 8],
    ];
    const started = cases.map(([code]) => start(context, procs.exitWith, [code]));
    const viaExitCode = start(context, procs.setExitCode, [5]);
    for (const p of started) await p.join(20_000);
    await viaExitCode.join(20_000);
    expect(started.map((p) => p.exitCode)).toEqual(cases.map(([, expected]) => expected));
    expect(viaExitCode.exitCode).toBe(5);
  });

  it('_TestAtExit: an exit handler the target installed runs when the target returns', {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-atexit-'));
    try {
      const file = join(dir, 'output.txt');
      const p = start(context, procs.writeFileAtExit, [file]);
      await p.join(20_000);
      expect(p.exitCode).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('deadbeef');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('TestForkAwareThreadLock: a chain of five nested processes passes a connection down', {
    timeout: 40_000,
  }, async () => {
    const [r, w] = mp.Pipe<string>({ duplex: false });
    const p = start(context, procs.chain, [5, w, context]);
    w.close();
    expect(await r.recv()).toMatch(/^Process-\d+:1:1:1:1$/);
    await p.join(30_000);
    expect(p.exitCode).toBe(0);
    r.close();
  });

  it('TestStartMethod.test_context: the context object and what its worker sees', {
    timeout: 30_000,
  }, async () => {
    expect(ctx.getStartMethod()).toBe(context);
    expect(ctx.getContext().getStartMethod()).toBe(context);
    expect(() => ctx.setStartMethod('thread')).toThrow(mp.ContextError);
    expect(() => ctx.setStartMethod(null as never)).toThrow();
    const [r, w] = ctx.Pipe<string>({ duplex: false });
    const p = new ctx.Process({ target: procs.startMethod, args: [w] });
    killAfterTest(p);
    p.start();
    w.close();
    expect(await r.recv()).toBe(context);
    r.close();
    await p.join(20_000);
  });
});

describe("_TestProcess.test_interrupt, 'process' context", () => {
  it('a target that handles SIGINT as Python’s KeyboardInterrupt ends with exitCode 1', {
    timeout: 30_000,
  }, async () => {
    const ev = getContext('process').Event() as unknown as Loose;
    const p = start('process', procs.exitOnInterrupt, [ev]);
    expect(await ev.wait!(20_000)).toBe(true);
    p.interrupt();
    await p.join(20_000);
    expect(p.exitCode).toBe(1);
  });
});

describe("exit codes of signals sent from outside, 'process' context", () => {
  // Python's exitcode is -N for whatever signal N ended the child, whenever it came; only a child
  // that Node itself could not boot (it aborts: SIGABRT) did not start.
  it.each([
    ['SIGUSR2', -12],
    ['SIGALRM', -14],
    ['SIGTERM', -15],
  ] as const)(
    '%s sent right after start() gives exitCode %i from join()',
    { timeout: 30_000 },
    async (signal, code) => {
      const p = start('process', procs.napFor, [100_000]);
      process.kill(p.pid!, signal);
      await p.join(20_000);
      expect(p.exitCode).toBe(code);
    },
  );

  it('SIGUSR2 sent to a running target gives exitCode -12', { timeout: 30_000 }, async () => {
    const ev = getContext('process').Event() as unknown as Loose;
    const p = start('process', procs.setThenSleep, [ev]);
    expect(await ev.wait!(20_000)).toBe(true);
    process.kill(p.pid!, 'SIGUSR2');
    await p.join(20_000);
    expect(p.exitCode).toBe(-12);
    expect(String(p)).toContain('exitCode=SIGUSR2');
  });
});

describe.each(CONTEXTS)('_TestSubclassingProcess in the %s context', (context) => {
  /** Python's `_UpperCaser`: a subclass with helper methods; its work is a task, not `run()`. */
  class UpperCaser extends mp.Process {
    readonly childConn: ReturnType<typeof mp.Pipe<string | null>>[0];
    readonly parentConn: ReturnType<typeof mp.Pipe<string | null>>[1];
    constructor() {
      const [childConn, parentConn] = mp.Pipe<string | null>();
      super({ target: procs.upperCase, args: [childConn, parentConn], context });
      this.childConn = childConn;
      this.parentConn = parentConn;
    }
    async submit(s: string): Promise<string | null> {
      this.parentConn.send(s);
      return await this.parentConn.recv();
    }
    stop(): void {
      this.parentConn.send(null);
      this.parentConn.close();
      this.childConn.close();
    }
  }

  it('test_subclassing: a Process subclass with its own methods', { timeout: 30_000 }, async () => {
    const uppercaser = new UpperCaser();
    killAfterTest(uppercaser);
    uppercaser.daemon = true;
    uppercaser.start();
    expect(await uppercaser.submit('hello')).toBe('HELLO');
    expect(await uppercaser.submit('world')).toBe('WORLD');
    uppercaser.stop();
    await uppercaser.join(20_000);
    expect(uppercaser.exitCode).toBe(0);
  });

  it('a subclass that overrides run() is refused at construction (a worker cannot receive it)', () => {
    class WithRun extends mp.Process {
      run(): void {}
    }
    expect(() => new WithRun({ target: procs.napFor, args: [0], context })).toThrow(ValidationError);
  });

  it('start() twice throws ProcessError', { timeout: 30_000 }, async () => {
    const p = start(context, procs.napFor, [0]);
    expect(() => p.start()).toThrow(ProcessError);
    await p.join(20_000);
  });
});
