// A manager's normal end is no loss: a program that awaited every call and then shut its own
// manager down is told nothing, and neither are clients in other threads and processes that were
// still pipelining (a held lock's release or a registered writer's set, written without an
// answer): the objects went with the manager (Python prints nothing either). Their proxies still
// reject afterwards. A connection that breaks with pipelined calls unanswered still warns.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ManagerClosedError, SyncManager } from '@multiproc/ipc';
import { afterEach, expect, it, vi } from 'vitest';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function run(program: string, args: string[] = []) {
  return new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
    execFile(process.execPath, [fixture(program), ...args], { timeout: 60_000 }, (err, out, errOut) =>
      resolve({ stdout: out, stderr: errOut, code: err ? ((err as { code?: number }).code ?? null) : 0 }),
    );
  });
}

it('await release() or set() then shutdown(), cycle after cycle, prints no ManagerWarning', async () => {
  const { stdout, stderr, code } = await run('shutdown-quiet-program.mjs');
  expect(stderr).toBe('');
  expect(stdout.split('\n').filter(Boolean)).toEqual(Array(3).fill('ManagerClosedError'));
  expect(code).toBe(0);
}, 40_000);

it('shutdown() while clients in Processes of both contexts pipeline calls prints no ManagerWarning there', async () => {
  const rounds = 3;
  const { stdout, stderr, code } = await run('shutdown-clients-program.mjs', [String(rounds)]);
  expect(stderr).toBe('');
  expect(stdout.split('\n').filter(Boolean)).toEqual([
    ...Array(rounds).fill('process ManagerClosedError'),
    ...Array(rounds).fill('thread ManagerClosedError'),
  ]);
  expect(code).toBe(0);
}, 70_000);

it('a manager killed with pipelined calls unread still warns MP_LATE_WRITE, and the waiting call rejects', async () => {
  const server = spawn(process.execPath, [fixture('manager-server-program.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  cleanup.push(() => server.exitCode === null && server.signalCode === null && server.kill('SIGKILL'));
  const address = JSON.parse(
    await new Promise<string>((resolve) => server.stdout.once('data', (b: Buffer) => resolve(String(b)))),
  );
  const m = new SyncManager({ address, authkey: 'killed' });
  await m.connect();
  const sem = m.Semaphore(1);
  const d = m.dict<string, number>();
  await d.set('k', 0); // registers this connection as the dict's writer: later sets pipeline
  expect(await sem.acquire()).toBe(true);
  // Stopped, the manager reads nothing more: what is sent now stays unread in its socket.
  server.kill('SIGSTOP');
  await vi.waitFor(() => expect(readFileSync(`/proc/${server.pid}/stat`, 'utf8')).toMatch(/^\d+ \(.*\) T/), {
    timeout: 10_000,
    interval: 20,
  });
  const warned = new Promise<Error & { code?: string }>((resolve) => {
    const onWarning = (w: Error & { code?: string }) => {
      if (w.name !== 'ManagerWarning') return;
      process.off('warning', onWarning);
      resolve(w);
    };
    process.on('warning', onWarning);
  });
  await sem.release(); // pipelined: resolved once written
  await d.set('k', 1); // pipelined
  const waiting = sem.acquire();
  server.kill('SIGKILL');
  await expect(waiting).rejects.toBeInstanceOf(ManagerClosedError);
  const warning = await warned;
  expect(warning.code).toBe('MP_LATE_WRITE');
  expect(warning.message).toMatch(/^2 call\(s\)/);
}, 30_000);
