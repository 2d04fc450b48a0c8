// A queue's loan folders (loan-file.ts: one per consumer in another process, in /dev/shm on Linux)
// that a SIGKILLed home leaves are removed by the next sweep of this library (stale-loans.ts, run
// whenever a program binds a socket file), and never one its home or consumer may still use: a
// consumer that outlives its home still claims what it was lent from the folder. Real programs.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Listener } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { staleSocketsSwept, sweepStaleSockets } from '../src/internal/runtime/stale-sockets.js';
import { until } from './helpers.js';

const PROGRAM = new URL('./fixtures/loan-sweep-program.mjs', import.meta.url).pathname;
const SHM = process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const N = 50;

const children: ChildProcess[] = [];
const made: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true });
});

interface Lending {
  readonly child: ChildProcess;
  readonly lines: Interface;
  /** The queue's home (this program in `home` mode, a child of it in `consumer` mode). */
  readonly home: number;
  /** The program's children (they die with it). */
  readonly pids: number[];
  readonly folders: string[];
}

/** Starts a program whose queue has lent items to a consumer in another process (see the fixture). */
async function lending(mode: 'home' | 'consumer'): Promise<Lending> {
  const child = spawn(process.execPath, [PROGRAM, mode, String(N)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  return { child, lines, ...(JSON.parse(await nextLine(lines)) as Omit<Lending, 'child' | 'lines'>) };
}

function nextLine(lines: Interface): Promise<string> {
  return new Promise((resolve, reject) => {
    lines.once('line', resolve);
    lines.once('close', () => reject(new Error('the program ended before printing')));
  });
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function killed(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  expect(await until(() => !running(pid), 5000)).toBe(true);
}

async function sweep(): Promise<void> {
  sweepStaleSockets();
  await staleSocketsSwept();
}

describe('loan folders of a SIGKILLed home', () => {
  it('are removed by the next program that binds a socket, once its consumers are gone too', {
    timeout: 30_000,
  }, async () => {
    const p = await lending('home');
    expect(p.folders.length).toBeGreaterThan(0);
    await killed(p.home);
    // Its children die with it (core's reaper): then nobody may use the folder.
    for (const pid of p.pids) expect(await until(() => !running(pid), 5000)).toBe(true);
    for (const f of p.folders) expect(existsSync(f)).toBe(true);
    const listener = new Listener();
    await listener.ready();
    try {
      expect(await until(() => p.folders.every((f) => !existsSync(f)), 5000)).toBe(true);
    } finally {
      listener.close();
    }
  });

  it('stay while their consumer lives, which claims every item it was lent across sweeps, busy CPU too', {
    timeout: 40_000,
  }, async () => {
    const busy = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    children.push(busy);
    const p = await lending('consumer'); // this program consumes; a child of it is the home
    await killed(p.home);
    let sweeping = true;
    let sweeps = 0;
    let removed = false; // a sweep removed a folder its consumer still claims from
    const sweeper = (async () => {
      while ((sweeping || sweeps < 20) && !removed) {
        await sweep();
        sweeps++;
        removed = p.folders.some((f) => !existsSync(f));
      }
    })();
    expect(await until(() => sweeps >= 5 || removed, 10_000)).toBe(true);
    p.child.stdin!.write('take\n');
    const got = JSON.parse(await nextLine(p.lines)) as unknown[];
    sweeping = false;
    await sweeper;
    expect(removed).toBe(false);
    expect(got).toEqual([...Array.from({ length: N - 1 }, (_, i) => i + 1), 'EOFError']); // none lost
    expect(sweeps).toBeGreaterThanOrEqual(20);
    busy.kill('SIGKILL');

    await killed(p.child.pid!);
    for (const pid of p.pids) expect(await until(() => !running(pid), 5000)).toBe(true);
    await sweep();
    for (const f of p.folders) expect(existsSync(f)).toBe(false);
  });

  it('a live home removes the folder of its consumer that was SIGKILLed', { timeout: 30_000 }, async () => {
    const p = await lending('home');
    await sweep();
    for (const f of p.folders) expect(existsSync(f)).toBe(true); // a live pair's
    await killed(p.pids.at(-1)!); // the consumer it lent to
    expect(await until(() => p.folders.every((f) => !existsSync(f)), 5000)).toBe(true);
  });
});

describe('folders that are not a dead home’s loan folder', () => {
  it('are never touched', { timeout: 20_000 }, async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    const ns = process.platform === 'linux' ? /\d+/.exec(readlinkSync('/proc/self/ns/pid'))![0] : 'x';
    const name = (pid: number) => `mp-${pid}-0-${randomBytes(6).toString('hex')}.sock.${randomUUID()}.loan`;
    const folder = (n: string, files: string[]): string => {
      const path = join(SHM, n);
      made.push(path);
      mkdirSync(path, { mode: 0o700 });
      for (const f of files) writeFileSync(join(path, f), '');
      return path;
    };
    const deadHome = `home-${dead.pid}-x-${ns}`;
    const swept = [
      folder(name(dead.pid!), [deadHome, String((1 << 20) | 0)]),
      // A mark of a running pid with another start time: the pid was reused.
      folder(name(dead.pid!), [`home-${process.ppid}-1-${ns}`, String(1 << 20)]),
    ];
    const kept = [
      folder(`mp-${dead.pid}-0-abc.sock.${randomUUID()}.loan`, [deadHome]), // not our name
      folder(`${name(dead.pid!)}x`, [deadHome]),
      folder(name(dead.pid!), [deadHome, 'notes.txt']), // something not ours inside
      folder(name(dead.pid!), [`home-${dead.pid}-x-1`]), // another pid namespace
      folder(name(dead.pid!), [`home-${process.pid}-x-${ns}`]), // a live home
      folder(name(dead.pid!), [deadHome, String((1 << 20) | 3)]), // items left, no consumer known
      folder(name(dead.pid!), [deadHome, `copy-${process.pid}-x-${ns}`, String((1 << 20) | 3)]), // a live consumer
      folder(name(dead.pid!), [String(1 << 20)]), // no home mark and no stale socket to judge by
    ];
    const link = join(SHM, name(dead.pid!));
    made.push(link);
    symlinkSync(kept[0]!, link);
    kept.push(link);
    if (process.getuid?.() === 0) {
      const theirs = folder(name(dead.pid!), [deadHome]);
      execFileSync('chown', ['-R', '65534', theirs]);
      kept.push(theirs);
    }
    await sweep();
    for (const path of swept) expect(existsSync(path)).toBe(false);
    for (const path of kept)
      expect(lstatSync(path).isDirectory() || lstatSync(path).isSymbolicLink()).toBe(true);
  });
});
