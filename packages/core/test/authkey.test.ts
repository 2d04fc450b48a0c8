// Python's current_process().authkey: 32 random bytes in the main program, inherited by every
// Process and pool worker (and theirs), and the default key of managers in start() and connect().
import { currentProcess, Pool, Process } from '@multiproc/core';
import { BaseManager, type Connection, Pipe, processAuthkey, setProcessAuthkey } from '@multiproc/ipc';
import { ValidationError } from '@multiproc/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/authkey-tasks.mjs';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const original = processAuthkey();
afterAll(() => setProcessAuthkey(original));

describe('currentProcess().authkey in the main program', () => {
  it('is 32 bytes, the same on every read, and a copy', () => {
    const key = currentProcess().authkey;
    expect(key).toBeInstanceOf(Uint8Array);
    expect(key.length).toBe(32);
    expect(hex(currentProcess().authkey)).toBe(hex(key));
    key.fill(0);
    expect(hex(currentProcess().authkey)).not.toBe(hex(key));
    expect(hex(processAuthkey())).toBe(hex(currentProcess().authkey));
  });

  it('takes a new key by assignment, and refuses an empty or non-byte one with ValidationError', () => {
    const me = currentProcess();
    me.authkey = new TextEncoder().encode('abracadabra');
    expect(new TextDecoder().decode(processAuthkey())).toBe('abracadabra');
    expect(() => setProcessAuthkey('')).toThrow(ValidationError);
    expect(() => setProcessAuthkey(42 as never)).toThrow(ValidationError);
    expect(new TextDecoder().decode(currentProcess().authkey)).toBe('abracadabra');
    setProcessAuthkey(original);
  });
});

describe.each(matrix(import.meta.url))('authkey inheritance in the %s context', (context) => {
  it('a Process gets its parent key, set after import and before start', async () => {
    setProcessAuthkey(`key for ${context} process`);
    const [mine, theirs]: Connection[] = Pipe();
    const p = new Process({ target: tasks.sendKey, args: [theirs], context });
    p.start();
    theirs.close();
    const got = (await mine.recv()) as { key: string };
    await p.join(20_000);
    mine.close();
    expect(got.key).toBe(hex(processAuthkey()));
    setProcessAuthkey(original);
  });

  it("Process.authkey is the parent's key at construction; set before start(), it is the worker's", async () => {
    const p = new Process({ target: tasks.sendKey, args: [null], context });
    expect(p.authkey).toBeInstanceOf(Uint8Array);
    expect(hex(p.authkey)).toBe(hex(processAuthkey()));
    p.authkey.fill(0); // a copy
    expect(hex(p.authkey)).toBe(hex(processAuthkey()));
    expect(() => {
      p.authkey = '';
    }).toThrow(ValidationError);
    expect(() => {
      p.authkey = 42 as never;
    }).toThrow(ValidationError);
    const [mine, theirs]: Connection[] = Pipe();
    const q = new Process({ target: tasks.sendKey, args: [theirs], context });
    q.authkey = `own key of ${context}`;
    setProcessAuthkey('changed after construction'); // q keeps the key it was given
    q.start();
    theirs.close();
    const got = (await mine.recv()) as { key: string };
    await q.join(20_000);
    mine.close();
    setProcessAuthkey(original);
    expect(got.key).toBe(hex(new TextEncoder().encode(`own key of ${context}`)));
    expect(new TextDecoder().decode(q.authkey)).toBe(`own key of ${context}`);
    expect(hex(processAuthkey())).toBe(hex(original)); // the parent's own key is untouched
  });

  it('pool workers and their own pools get it, and it is not left in their environment', async () => {
    await using pool = new Pool({ processes: 1, context });
    const got = (await pool.apply(tasks.poolKey, [])) as { key: string; env: boolean };
    expect(got).toEqual({ key: hex(original), env: false });
    expect(await pool.apply(tasks.nestedPoolKey, [context])).toBe(hex(original));
  });

  it("a worker reaches its parent's BaseManager by address alone (Python's default authkey)", async () => {
    const jobs: string[] = [];
    const server = new BaseManager();
    server.register('jobs', () => ({ add: (j: string) => jobs.push(j) }));
    const address = await server.start();
    try {
      await using pool = new Pool({ processes: 1, context });
      expect(await pool.apply(tasks.useManager, [address, 'hello'])).toBe(1);
      expect(jobs).toEqual(['hello']);
    } finally {
      await server.shutdown();
    }
  });
});
