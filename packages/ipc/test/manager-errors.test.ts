// What a served object throws reaches the proxy as Python's manager re-raises it: the same class
// (ours and built-ins), message, the server's stack, primitive fields such as `code`, and the
// cause; a thrown non-Error value comes back as itself, as a pool task's does. In this program and
// in a worker of each context.
import { BaseManager, type BaseProxy } from '@multiproc/ipc';
import { ValidationError } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/manager-error-tasks.mjs', import.meta.url).href);

class QuotaError extends Error {
  code = 'E_QUOTA';
  limit = 3;
}

function throwingMethod(what: string): never {
  if (what === 'custom') throw new QuotaError('over quota', { cause: new RangeError('3 > 2') });
  if (what === 'type') throw new TypeError('not a number');
  if (what === 'ours') throw new ValidationError('bad input');
  if (what === 'string') throw 'just a string';
  if (what === 'object') throw { reason: 'plain object', n: 1 };
  throw 7;
}

const METHODS = ['custom', 'type', 'ours', 'string', 'object', 'number'] as const;
const served = Object.fromEntries(METHODS.map((m) => [m, () => throwingMethod(m)]));

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type Thrower = BaseProxy & Record<(typeof METHODS)[number], () => Promise<unknown>>;

async function serve(): Promise<Thrower> {
  const server = new BaseManager();
  server.register('thrower', () => served);
  await server.start();
  cleanup.push(() => server.shutdown());
  return server.create('thrower') as never;
}

describe('errors thrown by a served object', () => {
  it('in this program: same class, message, stack, fields and cause; non-Errors as themselves', async () => {
    const proxy = await serve();
    const custom = await proxy.custom().catch((e: unknown) => e);
    expect(custom).toBeInstanceOf(Error);
    expect(custom).toMatchObject({ name: 'Error', message: 'over quota', code: 'E_QUOTA', limit: 3 });
    expect((custom as Error).stack).toContain('throwingMethod');
    expect((custom as Error).cause).toBeInstanceOf(RangeError);
    expect((custom as Error).cause).toMatchObject({ message: '3 > 2' });
    await expect(proxy.type()).rejects.toBeInstanceOf(TypeError);
    await expect(proxy.ours()).rejects.toBeInstanceOf(ValidationError);
    await expect(proxy.string()).rejects.toBe('just a string');
    await expect(proxy.object()).rejects.toEqual({ reason: 'plain object', n: 1 });
    await expect(proxy.number()).rejects.toBe(7);
  });

  it.each(matrix(import.meta.url))(
    'in a worker (%s context): the same',
    { timeout: 30_000 },
    async (context) => {
      const proxy = await serve();
      const pool = new core.Pool({ processes: 1, context });
      cleanup.push(() => pool.terminate());
      const got = await pool.apply(tasks.describeThrows, [proxy, METHODS]);
      expect(got).toEqual({
        custom: {
          error: true,
          name: 'Error',
          message: 'over quota',
          isTypeError: false,
          code: 'E_QUOTA',
          stackNamesServer: true,
          cause: { name: 'RangeError', message: '3 > 2' },
        },
        type: expect.objectContaining({ error: true, name: 'TypeError', isTypeError: true }),
        ours: expect.objectContaining({ error: true, name: 'ValidationError', message: 'bad input' }),
        string: { error: false, value: 'just a string' },
        object: { error: false, value: { reason: 'plain object', n: 1 } },
        number: { error: false, value: 7 },
      });
    },
  );
});
