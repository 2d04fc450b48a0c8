// What a served object throws comes back by its class, told by the class itself as core's error
// codec does for pool tasks (CONTRACT.md, Pool): this library's classes as themselves (also the
// SerializationError of a result that cannot be sent, with its code), built-ins as themselves, and
// any other error as an `Error` with its name, message and own fields, never as one of ours because
// its name matches (a served object's own Error named 'KeyError' is not ours).
import { BaseManager, KeyError } from '@multiproc/ipc';
import { ProcessError, SerializationError, ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/proxy-arg-tasks.mjs', import.meta.url).href);
const kit = managerTestKit();

class Thrower {
  named(name: string): never {
    const e = new Error('mine') as Error & { extra: number };
    e.name = name;
    e.extra = 5;
    throw e;
  }
  userType(): never {
    const e = new Error('not a TypeError');
    e.name = 'TypeError';
    throw e;
  }
  ours(): never {
    throw new KeyError('a real KeyError');
  }
  fn() {
    return () => 1;
  }
  sym() {
    return Symbol('s');
  }
  gen() {
    return (function* () {})();
  }
}

type ThrowerProxy = Record<keyof Thrower, (...a: unknown[]) => Promise<unknown>>;

async function serve(): Promise<ThrowerProxy> {
  const server = new BaseManager();
  server.register('Thrower', Thrower);
  await server.start();
  kit.cleanup.push(() => server.shutdown());
  return (await server.create('Thrower')) as never;
}

const LOOK_ALIKES = ['KeyError', 'LockError', 'ValidationError', 'ManagerClosedError', 'SerializationError'];

describe("a served object's errors come back by class, not by name", () => {
  it('in this program', async () => {
    const foo = await serve();
    for (const name of LOOK_ALIKES) {
      const err = (await foo.named(name).catch((e: unknown) => e)) as Error & Record<string, unknown>;
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ProcessError);
      expect(err.constructor).toBe(Error);
      expect(err).toMatchObject({ name, message: 'mine', extra: 5 });
      expect(err.code).toBeUndefined();
    }
    const user = await foo.userType().catch((e: unknown) => e);
    expect(user).not.toBeInstanceOf(TypeError);
    expect(user).toMatchObject({ name: 'TypeError' });
    const ours = await foo.ours().catch((e: unknown) => e);
    expect(ours).toBeInstanceOf(KeyError);
    expect(ours).toBeInstanceOf(ValidationError);
    expect(ours).toMatchObject({ code: 'MP_KEY', message: 'a real KeyError' });
    for (const method of ['fn', 'sym', 'gen'] as const) {
      const err = await foo[method]().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SerializationError);
      expect(err).toMatchObject({ code: 'MP_SERIALIZATION', path: 'result' });
    }
  });

  it.each(matrix(import.meta.url))(
    'in a worker (%s context): the same',
    { timeout: 30_000 },
    async (context) => {
      const foo = await serve();
      const pool = new core.Pool({ processes: 1, context });
      kit.cleanup.push(() => pool.terminate());
      const calls = [
        ...LOOK_ALIKES.map((n) => [n, 'named', [n]]),
        ['ours', 'ours', []],
        ['fn', 'fn', []],
        ['sym', 'sym', []],
      ];
      const got = await pool.apply(tasks.errorsOf, [foo, calls]);
      const lookAlike = (name: string) => ({
        name,
        code: undefined,
        ours: false,
        key: false,
        serialization: false,
      });
      expect(got).toEqual({
        ...Object.fromEntries(LOOK_ALIKES.map((n) => [n, lookAlike(n)])),
        ours: { name: 'KeyError', code: 'MP_KEY', ours: true, key: true, serialization: false },
        fn: {
          name: 'SerializationError',
          code: 'MP_SERIALIZATION',
          ours: true,
          key: false,
          serialization: true,
        },
        sym: {
          name: 'SerializationError',
          code: 'MP_SERIALIZATION',
          ours: true,
          key: false,
          serialization: true,
        },
      });
    },
  );
});
