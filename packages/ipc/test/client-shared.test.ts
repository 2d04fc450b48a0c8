// A Client() connection the parent keeps using and also passes to a worker, which polls it: what
// the server answers the worker reaches the worker, and the parent's next recv() gets its own
// answer (a pipe end shared by two readers: the one that waits gets the data, as with a socket).
// The listener is another program on this machine, over Unix and TCP, with an authkey or none,
// and the connection goes to a Process or a pool task, in both contexts.
import { spawn } from 'node:child_process';
import { Client, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { cleanup, listen } from './net-kit.js';

const { tasks } = await import(new URL('./fixtures/net-tasks.mjs', import.meta.url).href);
const ECHO = new URL('./fixtures/echo-program.mjs', import.meta.url).pathname;

/** Starts the echo server program; resolves to its address. It ends with the test. */
async function echoProgram(where: 'unix' | 'tcp', authkey?: string): Promise<string | [string, number]> {
  const args = authkey === undefined ? [ECHO, where] : [ECHO, where, authkey];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve) =>
    child.stdout.once('data', (b: Buffer) => resolve(String(b))),
  );
  return JSON.parse(line);
}

const servers: [string, 'unix' | 'tcp', string | undefined][] = [
  ['Unix, no authkey', 'unix', undefined],
  ['TCP, with an authkey', 'tcp', 'k3y'],
];

describe.each(matrix(import.meta.url))('a Client() connection shared with a %s worker', (context) => {
  it.each(servers)(
    'to another program (%s): a Process that polls it gets its answer, the parent gets its own',
    async (_, where, authkey) => {
      const c = await Client(await echoProgram(where, authkey), { authkey });
      cleanup.push(() => c.close());
      c.send('direct');
      expect(await c.recv()).toBe('echo:direct');
      const out = new Queue<string>();
      const p = new core.Process({ target: tasks.pollEcho, args: [c, 'proc', out], context });
      cleanup.push(() => p.isAlive() && p.kill());
      p.start();
      expect(await out.get({ timeout: 15_000 })).toBe('echo:proc');
      await p.join();
      c.send('again');
      expect(await c.recv()).toBe('echo:again');
      expect(await c.poll()).toBe(false); // nothing meant for the child was left here
    },
    30_000,
  );

  it.each(servers)(
    'to another program (%s): a pool task that polls it gets its answer, the parent gets its own',
    async (_, where, authkey) => {
      const c = await Client(await echoProgram(where, authkey), { authkey });
      cleanup.push(() => c.close());
      const pool = new core.Pool({ processes: 1, context });
      cleanup.push(() => pool.terminate());
      expect(await pool.apply(tasks.pollEcho, [c, 'task'])).toBe('echo:task');
      c.send('again');
      expect(await c.recv()).toBe('echo:again');
      expect(await c.poll()).toBe(false);
    },
    30_000,
  );

  it('to a Listener of this program, kept open by the parent: a polling pool task gets its answer', async () => {
    const l = listen();
    const accepted = l.accept();
    const c = await Client(await l.ready());
    cleanup.push(() => c.close());
    void (async () => {
      const s = await accepted;
      for await (const m of s) s.send(`echo:${m}`);
    })().catch(() => {});
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    expect(await pool.apply(tasks.pollEcho, [c, 'task'])).toBe('echo:task');
    c.send('again');
    expect(await c.recv()).toBe('echo:again');
  }, 30_000);
});
