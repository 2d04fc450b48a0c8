/**
 * A private `redis-server` per test file: a free loopback port, no persistence, stopped in
 * `afterAll`. Whether there is one at all is decided once, in `global-setup.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** A client of its own (closed by `stop()`). */
  readonly client: Redis;
  stop(): Promise<void>;
  /** A private server only: kills it (its data is lost, as with `shutdown nosave`). */
  kill(): Promise<void>;
  /** A private server only: starts it again on the same port, empty (unless `persistent`). */
  restart(): Promise<void>;
  /** A private server only: freezes it (SIGSTOP: connections stay open, nothing answers). */
  freeze(): void;
  /** Undoes {@link freeze} (SIGCONT). */
  thaw(): void;
}

const BIN = process.env.REDIS_SERVER ?? 'redis-server';

/** Why the bullmq tests cannot run here (decided once, in global-setup.ts), or `undefined`. */
export const redisMissing: string | undefined = inject('redisMissing') || undefined;

/** A loopback TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(client: Redis, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    try {
      if ((await client.ping()) === 'PONG') return;
    } catch {}
    if (Date.now() > deadline) throw new Error('redis-server did not answer PING within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RedisOptions {
  /** With `REDIS_URL`: the database number this test file uses (each file its own). */
  readonly db?: number;
  /** Clients must give this password (`--requirepass`). */
  readonly password?: string;
  /** Serve TLS only, with this self-signed certificate and key (PEM). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * Keep the data across `kill()` and `restart()`: an append-only file written at every command
   * (`appendfsync always`), in a directory of its own removed by `stop()`.
   */
  readonly persistent?: boolean;
  /** Listen on this Unix socket too (`--unixsocket`). */
  readonly unixSocket?: string;
}

/**
 * Starts a private server (or, with `REDIS_URL` and no password or TLS asked for, uses database
 * `db` of that server, flushed first: give each test file its own number).
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const { db = 0, password, tls, persistent = false, unixSocket } = options;
  if (process.env.REDIS_URL && !password && !tls && !persistent && !unixSocket) {
    const url = new URL(process.env.REDIS_URL);
    url.pathname = `/${db}`;
    const client = new Redis(url.href);
    await client.flushdb();
    return {
      url: url.href,
      port: Number(url.port || 6379),
      client,
      stop: async () => void (await client.quit()),
      kill: () => Promise.reject(new Error('kill() needs a private redis-server (unset REDIS_URL)')),
      restart: () => Promise.reject(new Error('restart() needs a private redis-server (unset REDIS_URL)')),
      freeze: () => {
        throw new Error('freeze() needs a private redis-server (unset REDIS_URL)');
      },
      thaw: () => {},
    };
  }
  const dir = persistent ? mkdtempSync(join(tmpdir(), 'mp-redis-')) : undefined;
  const storage = dir
    ? ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const spawnServer = () => {
      const listen = tls
        ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key]
        : ['--port', String(port)];
      const extra = [
        ...(tls ? ['--tls-ca-cert-file', tls.cert, '--tls-auth-clients', 'no'] : []),
        ...(password ? ['--requirepass', password] : []),
        ...(unixSocket ? ['--unixsocket', unixSocket, '--unixsocketperm', '700'] : []),
      ];
      return spawn(
        BIN,
        [...listen, '--bind', '127.0.0.1', '--save', '', ...storage, '--loglevel', 'warning', ...extra],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
    };
    let child = spawnServer();
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => 50,
      password,
      ...(tls ? { tls: { ca: readFileSync(tls.cert) } } : {}),
    });
    client.on('error', () => {});
    try {
      await client.connect().catch(() => {});
      await waitForPing(client, child);
    } catch (error) {
      client.disconnect();
      child.kill('SIGKILL');
      if (attempt < 3) continue; // the port was taken meanwhile
      throw error;
    }
    const kill = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    };
    const restart = async () => {
      await kill();
      child = spawnServer();
      await waitForPing(client, child);
    };
    const stop = async () => {
      client.disconnect();
      child.kill('SIGCONT');
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    };
    const freeze = () => void child.kill('SIGSTOP');
    const thaw = () => void child.kill('SIGCONT');
    const url = `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
    return { url, port, client, stop, kill, restart, freeze, thaw };
  }
}
