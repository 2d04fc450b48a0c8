// `serveForever()` and `getServer()` (Python's `m.get_server().serve_forever()`): a server program
// stays alive serving until it is shut down (by one of its objects, by SIGINT), where `start()`
// alone lets the program end; client programs reach it through the typeid methods register() adds.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseManager, ClosedError, ProcessError, SyncManager } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';

const SERVER = new URL('./fixtures/serve-forever-program.mjs', import.meta.url).pathname;
const CLIENT = new URL('./fixtures/serve-forever-client.mjs', import.meta.url).pathname;

const cleanup: (() => unknown)[] = [];
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Served {
  child: ChildProcess;
  address: string;
  lines: string[];
  exited: Promise<number | null>;
}

async function serve(...args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (b: Buffer) => {
      buffered += String(b);
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        if (lines.push(line) === 1) resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`the server program ended first (${code})`)));
  });
  return { child, address, lines, exited };
}

function client(address: string, job: string, stop = ''): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [CLIENT, address, job, stop], { timeout: 20_000 }, (err, out, errOut) =>
      err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out.trim()),
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serveForever() in a server program', () => {
  it('keeps serving until one of its objects shuts it down; then the program ends with 0', {
    timeout: 40_000,
  }, async () => {
    const server = await serve('tcp');
    await sleep(1000); // start() alone would have let the program end by now
    expect(server.child.exitCode).toBe(null);
    expect(await client(server.address, 'a')).toBe('["a"]');
    expect(await client(server.address, 'b', 'stop')).toBe('["a","b"]');
    expect(await server.exited).toBe(0);
    expect(server.lines.at(-1)).toBe('ended ["a","b"]');
  });

  it('getServer() at a socket path tells the address before serving; SIGINT ends it, file removed', {
    timeout: 40_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-forever-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'manager.sock');
    const server = await serve('path', path);
    expect(JSON.parse(server.address)).toBe(path);
    expect(await client(server.address, 'x')).toBe('["x"]');
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0); // Python's serve_forever() exits with 0 on Ctrl-C
    expect(server.lines.at(-1)).toBe('ended ["x"]');
    expect(existsSync(path)).toBe(false);
  });
});

describe('serveForever() and getServer() here', () => {
  it('serveForever() starts the manager and resolves once shutdown() is called', {
    timeout: 20_000,
  }, async () => {
    const m = new SyncManager({ address: ['127.0.0.1', 0] });
    let ended = false;
    const forever = m.serveForever().then(() => (ended = true));
    await sleep(200);
    expect(typeof m.address[1]).toBe('number'); // started
    await m.Lock().acquire();
    expect(ended).toBe(false);
    await m.shutdown();
    await forever;
    expect(ended).toBe(true);
    await expect(m.serveForever()).rejects.toBeInstanceOf(ClosedError);
  });

  // Started or connected is a ProcessError as Python's get_server() raises, not a ClosedError:
  // nothing was closed (only a shut-down manager gives ManagerClosedError).
  it('getServer() only before start (a ProcessError, as Python); a picked port is known once served', {
    timeout: 20_000,
  }, async () => {
    const m = new BaseManager({ address: ['127.0.0.1', 0] });
    const server = m.getServer();
    expect(() => server.address).toThrow(ProcessError); // not bound yet, as a Listener's
    const forever = server.serveForever();
    await sleep(200);
    expect(server.address[1]).toBeGreaterThan(0);
    expect(() => m.getServer()).toThrow(/already started: use it as it is/);
    expect(thrown(() => m.getServer())).not.toBeInstanceOf(ClosedError);
    const connected = new BaseManager({ address: server.address });
    await connected.connect();
    const refused = await connected.serveForever().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ProcessError);
    expect(refused).not.toBeInstanceOf(ClosedError);
    expect(() => connected.getServer()).toThrow(/connected to a manager another program serves/);
    expect(thrown(() => connected.getServer())).toBeInstanceOf(ProcessError);
    expect(thrown(() => connected.getServer())).not.toBeInstanceOf(ClosedError);
    await m.shutdown();
    await forever;
  });
});
