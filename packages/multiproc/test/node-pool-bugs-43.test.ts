import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Process } from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/bugs-43-tasks.mjs';
import { CONTEXTS, poolsEndedAfterEach } from './report-helpers.ts';

const pool = poolsEndedAfterEach();

/** The settled outcome of a promise: its value, or the error's name. */
const outcome = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error?.name }),
  );

describe.each(CONTEXTS)('Node pool bug reports (43), %s context', (context) => {
  // workerpool #511: a "Worker terminated" rejection escaped the caller's try/catch and crashed the app.
  it('workerpool #511: calls nobody awaits settle on terminate() without an unhandled rejection', {
    timeout: 20_000,
  }, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const p = pool({ processes: 1, context });
      const abandoned = p.applyAsync(t.never, []);
      p.mapAsync(t.sleep, [5000, 5000]);
      const iterator = p.imap(t.sleep, [5000, 5000])[Symbol.asyncIterator]();
      void iterator; // never iterated
      const queued = outcome(p.apply(t.identity, [1])); // behind the endless call: settles on terminate
      await p.terminate();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
      expect(abandoned.ready()).toBe(true);
      expect(await outcome(abandoned)).toEqual({ error: 'PoolClosedError' });
      expect(await queued).toEqual({ error: 'PoolClosedError' });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  // nodejs/node Buffer pooling: Buffer.from() of a short string is a view into a shared 8 KiB slab.
  it('small Buffers returned by concurrent tasks come back whole, each its own bytes', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const words = ['abc', 'defg', 'hi', 'jklmnop', 'q'];
    const back = await Promise.all(words.map((w) => p.apply(t.smallBuffer, [w])));
    expect(back.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString())).toEqual(words);
  });

  // AbortSignal.timeout(): the signal's reason is a DOMException named TimeoutError.
  it('a call given AbortSignal.timeout() rejects with AbortError, the TimeoutError as cause', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const error = (await p
      .apply(t.sleep, [10_000], { signal: AbortSignal.timeout(50) })
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('AbortError');
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(await p.apply(t.identity, ['next'])).toBe('next');
  });
});

/** Runs `fixtures/bugs-43-program.mjs` with `args`; resolves with each stdout line and when it came. */
function timedProgram(args: string[]): Promise<{ code: number | null; lines: [number, string][] }> {
  const file = fileURLToPath(new URL('./fixtures/bugs-43-program.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: [number, string][] = [];
    let rest = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) lines.push([performance.now(), line]);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the program did not end: ${JSON.stringify(lines)}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, lines });
    });
  });
}

describe('Node worker whole-program reports (43)', () => {
  // node #53701: a worker thread's console.log lines reached stdout only when its busy loop ended.
  it('node #53701: lines a thread target logs before a 3 s busy loop are printed before it ends', {
    timeout: 40_000,
  }, async () => {
    const { code, lines } = await timedProgram(['log-then-spin', 'thread', '3000']);
    expect(code).toBe(0);
    expect(lines.map(([, line]) => line)).toEqual(['line a', 'line b', 'line c', 'JOINED 0']);
    const at = (text: string) => lines.find(([, line]) => line === text)?.[0] ?? Number.NaN;
    expect(at('JOINED 0') - at('line c')).toBeGreaterThan(1000);
  });

  // bpo-33997 (Pool hangs in terminate()): a child that ignores SIGTERM.
  it('bpo-33997: terminate() of a child process that ignores SIGTERM resolves and the child is gone', {
    timeout: 20_000,
  }, async () => {
    const p = new Process({ target: t.ignoreTerm, context: 'process' });
    p.start();
    await new Promise((resolve) => setTimeout(resolve, 500)); // its handler is installed
    await p.terminate();
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBeLessThan(0);
    const q = pool({ processes: 1, context: 'process' });
    const running = outcome(q.apply(t.ignoreTerm, []));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await q.terminate();
    expect(await running).toEqual({ error: 'PoolClosedError' });
  });
});
