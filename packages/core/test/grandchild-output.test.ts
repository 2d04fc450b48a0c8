// A child that leaves a program running with its stdout or stderr (a server it started, detached
// and unref'd) has ended when it exits, as in Python: its Process's join(), sentinel, isAlive(),
// exitCode and terminate(), and a pool's close()+join(), follow the child, not the program that
// still holds its pipes; what the child printed before it exited is forwarded first, in order; and
// the program left running keeps neither the Process nor this program alive.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from './helpers.ts';

/** How long each grandchild lives (s): far beyond what any of the waits below may take. */
const GRANDCHILD_S = 30;
/** Each program is killed after this; it must have ended long before (ms). */
const PROGRAM_LIMIT_MS = 40_000;

type Run = {
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
  result: Record<string, unknown>;
};

/** Whether `pid` is gone: no such process, or a zombie nobody reaped yet. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}

/** Runs the fixture in `mode`; kills every grandchild it reported, whatever happened. */
async function run(mode: string): Promise<Run> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [fixture('grandchild.mjs'), mode, String(GRANDCHILD_S)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: PROGRAM_LIMIT_MS,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  let ms = 0;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      ms = performance.now() - t0;
      resolve(c);
    }),
  );
  const closed = new Promise((resolve) => child.once('close', resolve));
  const code = await exited;
  await closed;
  const stdout = Buffer.concat(out).toString();
  const stderr = Buffer.concat(err).toString();
  const pids = [...stdout.matchAll(/GRANDCHILD (\d+)/g)].map((m) => Number(m[1]));
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  for (let i = 0; i < 100 && !pids.every(gone); i++) await new Promise((r) => setTimeout(r, 20));
  expect(pids.filter((pid) => !gone(pid))).toEqual([]);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result (code ${code}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  return { stdout, stderr, code, ms, result: JSON.parse(line.slice('RESULT '.length)) };
}

/** The lines of `text` that match `pattern`, as the numbers they carry. */
function numbered(text: string, pattern: RegExp): number[] {
  return text
    .split('\n')
    .map((l) => pattern.exec(l)?.[1])
    .filter((n) => n !== undefined)
    .map(Number);
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The Process ended with its child: at once, not when the grandchild ends or the wait times out. */
function endedWithChild(r: Run): void {
  expect(r.code, r.stderr).toBe(0);
  expect(r.result).toMatchObject({ exitCode: 0, alive: false, osAlive: false });
  expect(r.result.ms as number).toBeLessThan(10_000);
  // The program ended too, without waiting for the grandchild (which lives 30 s).
  expect(r.ms).toBeLessThan(25_000);
}

describe('a child that leaves a program holding its output (process context)', { timeout: 60_000 }, () => {
  it('join() resolves when the child exits, after every line it printed, in order', async () => {
    const r = await run('join');
    endedWithChild(r);
    const beforeJoin = r.stdout.slice(0, r.stdout.indexOf('JOINED\n'));
    expect(numbered(beforeJoin, /^LINE (\d+)$/)).toEqual(upTo(2000));
    expect(numbered(r.stderr, /^ERRLINE (\d+)$/)).toEqual(upTo(200));
  });

  it('a program holding only stderr does not hold join() either', async () => {
    endedWithChild(await run('err'));
  });

  it('terminate() of a child that already exited returns at once', async () => {
    const r = await run('terminate');
    endedWithChild(r);
    expect(r.result.terminateMs as number).toBeLessThan(3000);
  });

  it('the sentinel is ready when the child exits', async () => {
    const r = await run('sentinel');
    endedWithChild(r);
    expect(r.result.ready).toBe(1);
  });

  it('what the program left running prints later is still forwarded while this program runs', async () => {
    const r = await run('late');
    endedWithChild(r);
    expect(r.stdout.slice(r.stdout.indexOf('JOINED\n'))).toContain('late-line\n');
  });

  it('a warm spare (enableWarmStart) ends with its child too', async () => {
    const r = await run('warm');
    endedWithChild(r);
    const beforeJoin = r.stdout.slice(0, r.stdout.indexOf('JOINED\n'));
    expect(numbered(beforeJoin, /^LINE (\d+)$/)).toEqual(upTo(2000));
  });

  it("a pool's close() and join() end with its workers", async () => {
    const r = await run('pool');
    expect(r.code, r.stderr).toBe(0);
    expect(r.result.workers).toBe(2);
    // It waited for the end of each worker's stderr for up to 1 s (LAST_MESSAGES_MS), and longer
    // still when that wait's bound was stalled by the quiet pipes (settle-within.test.ts).
    expect(r.result.ms as number).toBeLessThan(1000);
    expect(r.ms).toBeLessThan(25_000);
  });
});
