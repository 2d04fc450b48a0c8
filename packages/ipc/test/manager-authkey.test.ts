// A proxy never carries its manager's authkey readable (Python refuses to pickle an
// AuthenticationString except to a child it spawns): encodeValue() leaves the key out, or seals it
// under this program's processAuthkey() when it is another. This program's own workers (which
// inherit that key) use a custom-key proxy as the sender does; an unrelated program that receives
// it over a Listener uses its own processAuthkey() and gets AuthenticationError on first use,
// unless it connected to that manager with the right key itself.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseManager, Listener, Manager, Pipe, processAuthkey, Queue } from '@multiproc/ipc';
import { encodeValue } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { authkeyTasks } = await import(new URL('./fixtures/authkey-tasks.mjs', import.meta.url).href);
const FOREIGN = new URL('./fixtures/foreign-proxy-program.mjs', import.meta.url).pathname;
const KEY = 'TopSecretKey-ABC123';
const KEY_HEX = Buffer.from(KEY).toString('hex');

class Box {
  n = 0;
  inc(): number {
    return ++this.n;
  }
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  killProcesses();
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function customManager(): Promise<BaseManager> {
  const m = new BaseManager({ authkey: KEY });
  m.register('Box', Box);
  await m.start();
  cleanup.push(() => m.shutdown());
  return m;
}

type Inc = { inc(): Promise<number> };

it('encodeValue() of a proxy holds no key: neither a custom one nor processAuthkey()', async () => {
  const m = await customManager();
  const box = await m.create<Inc>('Box');
  const manager = Manager();
  cleanup.push(() => manager.shutdown());
  const d = manager.dict([['k', 1]]);
  const cond = manager.Condition(manager.Lock());
  await d.get('k');
  await cond.acquire();
  await cond.release();
  const own = Buffer.from(processAuthkey()).toString('hex');
  for (const target of matrix(import.meta.url)) {
    const text = JSON.stringify(encodeValue({ box, d, cond }, target).value);
    expect(text).toContain('multiproc.Proxy');
    expect(text).not.toContain(KEY_HEX);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(own);
    expect(text).not.toContain('authkey');
  }
});

describe.each(matrix(import.meta.url))("this program's own workers (%s)", (context) => {
  it('use a custom-key proxy sent as an argument, on a queue and through a pipe', {
    timeout: 60_000,
  }, async () => {
    const m = await customManager();
    const box = await m.create<Inc>('Box');
    const p1 = startProcess(context, authkeyTasks.incArg, [box]);
    await p1.join(30_000);
    const q = new Queue();
    const p2 = startProcess(context, authkeyTasks.incFromQueue, [q]);
    await q.put(box);
    await p2.join(30_000);
    const [here, there] = Pipe();
    const p3 = startProcess(context, authkeyTasks.incFromPipe, [there]);
    here.send(box);
    expect(await here.recv()).toBe(3);
    await p3.join(30_000);
    expect([p1.exitCode, p2.exitCode, p3.exitCode]).toEqual([0, 0, 0]);
    expect(await box.inc()).toBe(4);
  });
});

describe('an unrelated program that receives a proxy over a Listener', () => {
  it('gets AuthenticationError (the authkey does not match), unless it connected with the key', {
    timeout: 60_000,
  }, async () => {
    const m = await customManager();
    const box = await m.create<Inc>('Box');
    const manager = Manager(); // this program's processAuthkey()
    cleanup.push(() => manager.shutdown());
    const d = manager.dict([['k', 'v']]);
    const path = join(tmpdir(), `mp-foreign-${process.pid}-${Date.now()}.sock`);
    const listener = new Listener(path);
    cleanup.push(() => {
      listener.close();
      rmSync(path, { force: true });
    });
    const child = spawn(process.execPath, [FOREIGN, path], { stdio: ['ignore', 'inherit', 'inherit'] });
    cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
    const conn = await listener.accept();
    cleanup.push(() => conn.close());
    const ask = async (msg: object): Promise<string> => {
      conn.send(msg);
      return (await conn.recv()) as string;
    };
    const refused = 'AuthenticationError MP_AUTHENTICATION';
    const custom = await ask({ proxy: box, method: 'inc' });
    expect(custom.startsWith(refused), custom).toBe(true);
    expect(custom).toMatch(/authkey does not match/);
    const own = await ask({ proxy: d, method: 'get', args: ['k'] });
    expect(own.startsWith(refused), own).toBe(true);
    // Connected to that manager with its key, the program uses it for the proxies it takes then.
    expect(await ask({ connect: { address: m.address, authkey: KEY } })).toBe('connected');
    expect(await ask({ proxy: box, method: 'inc' })).toBe('ok 1');
    expect(await box.inc()).toBe(2);
  });
});
