import {
  activeChildren,
  ClosedError,
  ContextError,
  currentProcess,
  isMain,
  Process,
  ProcessError,
  parentProcess,
  SerializationError,
  ValidationError,
} from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/tasks.ts';

const started: Process[] = [];
function make(options: ConstructorParameters<typeof Process>[0]): Process {
  const p = new Process(options);
  started.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(
    started.splice(0).map(async (p) => {
      try {
        if (p.isAlive()) await p.terminate();
      } catch {
        // already closed
      }
    }),
  );
});

describe('main program identity', () => {
  it('is the main process', () => {
    expect(isMain()).toBe(true);
    expect(currentProcess().name).toBe('MainProcess');
    expect(parentProcess()).toBeNull();
  });

  it("refuses a Process's start(), join(), terminate(), kill() and close() on itself, saying why", () => {
    // Python's current_process().join() raises AssertionError ('can only join a child process').
    const me = currentProcess() as unknown as Record<string, () => unknown>;
    for (const method of ['start', 'join', 'terminate', 'kill', 'close']) {
      expect(() => me[method]!(), method).toThrow(ProcessError);
      expect(() => me[method]!(), method).toThrow(
        new RegExp(`^currentProcess\\(\\)\\.${method}\\(\\): MainProcess is the process`),
      );
      expect(Object.keys(me), method).not.toContain(method); // hidden, as Python's names are
    }
    expect(me.isAlive!()).toBe(true);
  });
});

describe.each(matrix(import.meta.url))('Process in %s context', (context) => {
  it('runs a target and exits with code 0', async () => {
    const p = make({ target: tasks.noop, context });
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(false);
    p.start();
    expect(p.isAlive()).toBe(true);
    expect(p.pid).toBeGreaterThan(0);
    if (context === 'thread') {
      expect(p.pid).toBe(process.pid);
      expect(p.threadId).toBeGreaterThan(0);
    } else {
      expect(p.pid).not.toBe(process.pid);
      expect(p.threadId).toBeNull();
    }
    expect(activeChildren()).toContain(p);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
    expect(activeChildren()).not.toContain(p);
  });

  it('gives exit code 1 when the target throws', async () => {
    const p = make({ target: tasks.boom, args: ['expected failure'], context });
    p.start();
    await p.join();
    expect(p.exitCode).toBe(1);
  });

  it('gives the code passed to process.exit()', async () => {
    const p = make({ target: tasks.exitWith, args: [3], context });
    p.start();
    await p.join();
    expect(p.exitCode).toBe(3);
  });

  // Three child starts, 0.9 s of CPU (0.3 s each, `/usr/bin/time`), no timer; one after another they
  // took 13-28 s beside every other suite on 2 cores (load 10-36). Now side by side, and 60 s.
  it('reports process.exit(-1) as 255 and process.exit(256) as 0, as the OS and Python do', {
    timeout: 60_000,
  }, async () => {
    const ps = [-1, 256, 257].map((code) => make({ target: tasks.exitWith, args: [code], context }));
    for (const p of ps) p.start();
    for (const p of ps) await p.join();
    expect(ps.map((p) => p.exitCode)).toEqual([255, 0, 1]);
  });

  it('join(ms) times out with exitCode still null, terminate() gives -15', async () => {
    const p = make({ target: tasks.hang, context });
    p.start();
    await p.join(50);
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(true);
    await p.terminate();
    expect(p.exitCode).toBe(-15);
    expect(p.isAlive()).toBe(false);
  });

  it('join({ timeout }) waits like join(ms); a timeout in another form rejects with ValidationError', async () => {
    const p = make({ target: tasks.hang, context });
    p.start();
    await p.join({ timeout: 50 });
    expect(p.exitCode).toBeNull();
    await expect(p.join(true as never)).rejects.toBeInstanceOf(ValidationError);
    await p.join(0.5); // a fraction of a millisecond is a (short) timeout, as any number of ms
    await expect(p.join(Number.NaN)).rejects.toBeInstanceOf(ValidationError);
    expect(p.isAlive()).toBe(true);
    await p.terminate();
    expect(p.exitCode).toBe(-15);
  });

  it('kill() gives -9', async () => {
    const p = make({ target: tasks.hang, context });
    p.start();
    p.kill();
    await p.join();
    expect(p.exitCode).toBe(-9);
  });

  it('refuses a second start()', async () => {
    const p = make({ target: tasks.noop, context });
    p.start();
    expect(() => p.start()).toThrow(ProcessError);
    await p.join();
  });

  it('close() throws while running, then every method throws ClosedError', async () => {
    const p = make({ target: tasks.sleep, args: [100], context });
    p.start();
    expect(() => p.close()).toThrow(ProcessError);
    await p.join();
    p.close();
    expect(() => p.start()).toThrow(ClosedError);
    expect(() => p.isAlive()).toThrow(ClosedError);
    expect(() => p.exitCode).toThrow(ClosedError);
    await expect(p.join()).rejects.toBeInstanceOf(ClosedError);
    expect(() => p.kill()).toThrow(ClosedError);
  });

  it('names processes like Python and tells the worker its name and parent', async () => {
    const p = make({ target: tasks.noop, context });
    expect(p.name).toMatch(/^Process-\d+$/);
    const named = make({ target: tasks.whoAmI, context, name: 'greeter' });
    expect(named.name).toBe('greeter');
    named.start();
    await named.join();
    expect(named.exitCode).toBe(0);
  });

  it('throws SerializationError from start() naming the bad argument', () => {
    const p = make({ target: tasks.noop, args: [1, { cb: () => 0 }], context });
    let error: unknown;
    try {
      p.start();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('args[1].cb');
    expect(p.isAlive()).toBe(false);
  });

  it('passes structured-clone arguments', async () => {
    const p = make({ target: tasks.sleep, args: [1], context });
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  // Six child starts at once: 1.7 s of CPU (`/usr/bin/time`), and 0-5 ms of sleep each. 16 s beside
  // every other suite on 2 cores (load 10-36), 54% of core's 30 s: it gets 60 s.
  it('is awaitable in a loop of many short processes', { timeout: 60_000 }, async () => {
    const ps = Array.from({ length: 6 }, (_, i) => make({ target: tasks.sleep, args: [i], context }));
    for (const p of ps) p.start();
    await Promise.all(ps.map((p) => p.join()));
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('Process options', () => {
  it('throws ValidationError for bad options', () => {
    expect(() => new Process({ target: tasks.noop, args: 'nope' as never })).toThrow(ValidationError);
    expect(() => new Process({ target: (() => 1) as never })).toThrow(ValidationError);
    expect(() => new Process({ target: tasks.noop, context: 'fork' as never })).toThrow(ValidationError);
    try {
      new Process({ target: tasks.noop, context: 'fork' as never });
    } catch (err) {
      expect((err as Error).message).toContain('context');
    }
  });

  it('throws ValidationError at construction for a missing target, saying to use defineTasks', () => {
    for (const options of [undefined, {}, { args: [1] }, { target: undefined }]) {
      const attempt = () => new Process(options as never);
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(/target.*defineTasks/);
    }
    expect(activeChildren()).toHaveLength(0);
  });

  it('throws ValidationError at construction for a subclass that overrides run(), as in Python', () => {
    class Worker extends Process {
      run(): void {
        console.log('never runs');
      }
    }
    for (const options of [undefined, { target: tasks.noop }]) {
      const attempt = () => new Worker(options as never);
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(/Worker overrides run\(\).*defineTasks/);
    }
    // A subclass that adds other methods but keeps the target is fine.
    class Named extends Process {
      describe(): string {
        return `named ${this.name}`;
      }
    }
    expect(new Named({ target: tasks.noop, name: 'n' }).describe()).toBe('named n');
  });

  it('refuses a SharedArrayBuffer for a process, naming the argument', () => {
    const p = make({
      target: tasks.noop,
      args: [new Int32Array(new SharedArrayBuffer(8))],
      context: 'process',
    });
    expect(() => p.start()).toThrow(ContextError);
    try {
      p.start();
    } catch (err) {
      expect((err as Error).message).toContain('args[0]');
    }
  });

  it('lets daemon be set before start only', async () => {
    const p = make({ target: tasks.noop });
    p.daemon = true;
    expect(p.daemon).toBe(true);
    // As the `daemon` option and `currentProcess().daemon` do: no silent truthiness.
    for (const bad of ['yes', 1, null, undefined]) {
      expect(() => {
        p.daemon = bad as never;
      }).toThrow(ValidationError);
    }
    expect(p.daemon).toBe(true);
    p.start();
    expect(() => {
      p.daemon = false;
    }).toThrow(ProcessError);
    await p.join();
  });
});
