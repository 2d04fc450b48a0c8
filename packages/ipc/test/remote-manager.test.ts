// A remote BaseManager (the Python docs' example): a separate program serves a queue on loopback
// TCP; a Process of each context connects and puts, this program connects and gets.
import { spawn } from 'node:child_process';
import {
  AuthenticationError,
  BaseManager,
  ManagerClosedError,
  processAuthkey,
  ValidationError,
} from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { remoteTasks } = await import(new URL('./fixtures/net-tasks.mjs', import.meta.url).href);
const PROGRAM = new URL('./fixtures/remote-manager-program.mjs', import.meta.url);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function serve(): Promise<[string, number]> {
  const child = spawn(process.execPath, [PROGRAM.pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve) =>
    child.stdout.once('data', (b: Buffer) => resolve(String(b))),
  );
  return JSON.parse(line);
}

describe.each(matrix(import.meta.url))('a remote BaseManager, client in a Process (%s)', (context) => {
  it('the Python docs example: one client puts, another gets', { timeout: 30_000 }, async () => {
    const address = await serve();
    expect(address[0]).toBe('127.0.0.1'); // loopback unless told otherwise
    const p = new core.Process({ target: remoteTasks.putHello, args: [address, 'abracadabra'], context });
    cleanup.push(() => p.isAlive() && p.kill());
    p.start();
    const m = new BaseManager({ address, authkey: 'abracadabra' });
    m.register('getQueue');
    await m.connect();
    const queue = await m.create<{ get(): unknown }>('getQueue');
    expect(await queue.get()).toBe('hello');
    await p.join();
    expect(p.exitCode).toBe(0);
  });
});

describe('remote BaseManager', () => {
  it('refuses a client with a wrong key, and connect() to nobody is ManagerClosedError', {
    timeout: 20_000,
  }, async () => {
    const address = await serve();
    const wrong = new BaseManager({ address, authkey: 'wrong' });
    await expect(wrong.connect()).rejects.toBeInstanceOf(AuthenticationError);
    const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
    const gone = await server.start();
    await server.shutdown();
    await expect(new BaseManager({ address: gone, authkey: 'k' }).connect()).rejects.toBeInstanceOf(
      ManagerClosedError,
    );
  });

  it("without an authkey, start() and connect() use the program's processAuthkey(); a program with another key is refused", {
    timeout: 20_000,
  }, async () => {
    const server = new BaseManager({ address: ['127.0.0.1', 0] });
    server.register('answer', () => ({ get: () => 42 }));
    const address = await server.start();
    cleanup.push(() => server.shutdown());
    const same = new BaseManager({ address }).register('answer');
    await same.connect();
    expect(await (await same.create<{ get(): number }>('answer')).get()).toBe(42);
    const explicit = new BaseManager({ address, authkey: processAuthkey() }).register('answer');
    await explicit.connect();
    // The separate program serves with its own key ('abracadabra'): this program's is refused.
    const other = await serve();
    await expect(new BaseManager({ address: other }).connect()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('serves registered objects in this program too; unknown typeids are refused', async () => {
    const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
    const log: string[] = [];
    server.register('log', () => ({ add: (s: string) => log.push(s) }));
    await server.start();
    cleanup.push(() => server.shutdown());
    const client = new BaseManager({ address: server.address, authkey: 'k' });
    await client.connect();
    const remote = await client.create<{ add(s: string): number }>('log');
    expect(await remote.add('x')).toBe(1);
    expect(log).toEqual(['x']);
    await expect(client.create('nope')).rejects.toBeInstanceOf(TypeError);
  });

  it("registers a class as Python's register('Maths', MathsClass) does, and refuses a factory that is no function", async () => {
    class MathsClass {
      add(x: number, y: number) {
        return x + y;
      }
      mul(x: number, y: number) {
        return x * y;
      }
    }
    const server = new BaseManager();
    server.register('Maths', MathsClass);
    await server.start();
    cleanup.push(() => server.shutdown());
    const maths = await server.create<MathsClass>('Maths');
    expect(await maths.add(4, 3)).toBe(7);
    expect(await maths.mul(7, 8)).toBe(56);
    expect(() => server.register('bad', { add: () => 1 } as never)).toThrow(ValidationError);
  });
});
