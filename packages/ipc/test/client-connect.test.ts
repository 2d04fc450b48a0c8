// Client() to an address where nobody listens rejected with Node's bare `Error` (`connect ENOENT
// /nonexistent/sock`), which neither is a multiproc error nor says what to do. It rejects with
// ConnectError now: a ProcessError whose message names the address and the fix, whose `code` stays
// the system's (`err.code === 'ECONNREFUSED'` keeps working) and whose `cause` is Node's error.
// A manager connected to such an address says the same in its ManagerClosedError. A bad address
// shape is a ValidationError before any connect.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BaseManager,
  Client,
  ConnectError,
  Listener,
  ManagerClosedError,
  ProcessError,
  ValidationError,
} from '@multiproc/ipc';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'mp-connect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A TCP port nothing listens on: one the system gave a server that then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

describe('Client() where nobody listens', () => {
  it('a missing socket path: ConnectError ENOENT naming the path and the fix', {
    timeout: 10_000,
  }, async () => {
    const path = join(dir, 'missing.sock');
    const err = await failure(Client(path));
    expect(err).toBeInstanceOf(ProcessError);
    expect(err.name).toBe('ConnectError');
    expect(err).toMatchObject({ code: 'ENOENT', errno: 'ENOENT', syscall: 'connect', address: path });
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(err.message).toContain(JSON.stringify(path));
    expect(err.message).toContain('no socket file');
    expect(err.message).toContain('Start a Listener at this address first');
    expect(err.message).toContain('authkey');
  });

  it('a file that is not a listening socket, and a closed port: ConnectError ECONNREFUSED', {
    timeout: 10_000,
  }, async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const onFile = await failure(Client(file, { authkey: 'k' }));
    expect(onFile).toMatchObject({ code: 'ECONNREFUSED', address: file });
    expect(onFile.message).toContain('Listener');

    // A Listener that closed leaves nobody there either.
    const listener = new Listener(join(dir, 'closed.sock'));
    listener.close();
    expect((await failure(Client(listener.address))).code).toMatch(/^(ENOENT|ECONNREFUSED)$/);

    const port = await closedPort();
    const onPort = await failure(Client(['127.0.0.1', port]));
    expect(onPort).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: ['127.0.0.1', port] });
    expect(onPort.message).toContain(`nothing listens on port ${port} of 127.0.0.1`);
    expect(onPort.message).toContain('Start a Listener there first');
    expect((onPort.cause as NodeJS.ErrnoException).errno).toBeTypeOf('number');
  });

  it('a bad address shape: ValidationError before any connect', async () => {
    for (const bad of [42, '', ['127.0.0.1', 70_000], ['127.0.0.1'], null]) {
      await expect(Client(bad as never)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe('BaseManager.connect() where no manager serves', () => {
  it('ManagerClosedError says nobody serves there and what to do; cause keeps the system code', {
    timeout: 15_000,
  }, async () => {
    const path = join(dir, 'no-manager.sock');
    const port = await closedPort();
    for (const [address, code] of [
      [path, 'ENOENT'],
      [['127.0.0.1', port], 'ECONNREFUSED'],
    ] as const) {
      const err = await new BaseManager({ address, authkey: 'k' }).connect().then(
        () => null,
        (e: unknown) => e as ManagerClosedError,
      );
      expect(err).toBeInstanceOf(ManagerClosedError);
      expect(err!.code).toBe('MP_MANAGER_CLOSED');
      expect((err!.cause as NodeJS.ErrnoException).code).toBe(code);
      expect(err!.message).toContain(`No manager serves at ${JSON.stringify(address)}`);
      expect(err!.message).toContain(`(${code})`);
      expect(err!.message).toContain('Start it first');
    }
  });
});
