// A served object's error whose field holds one unsendable part (axios's `config.transform`
// beside `config.url`), or a getter that throws, lost every object field over the manager wire:
// the record failed to encode, and its lean form (primitives only) went instead, so `config` and
// `detail` were gone. Only the bad part now stands in, as the SerializationError naming it
// (`error.config.transform`), as a pool task's error keeps it (core's error records); the class,
// message, code and other fields stay, in nested errors and the cause too. No worker.
import { BaseManager, SerializationError } from '@multiproc/ipc';
import { afterEach, expect, it } from 'vitest';

class Thrower {
  axios(): never {
    throw Object.assign(new Error('Request failed with status code 500'), {
      code: 'ERR_BAD_RESPONSE',
      status: 500,
      config: { url: 'https://example.com/api', method: 'get', transform: [(d: unknown) => d] },
    });
  }
  getter(): never {
    const detail = { ok: 1 };
    Object.defineProperty(detail, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter threw');
      },
    });
    throw Object.assign(new RangeError('a getter'), { code: 'E_GETTER', detail });
  }
  nested(): never {
    const inner = Object.assign(new TypeError('inner'), { request: { path: '/x', onDone: () => 1 } });
    throw Object.assign(new Error('outer', { cause: inner }), { extra: { at: 'field', hook: () => 2 } });
  }
}

type ThrowerProxy = Record<keyof Thrower, () => Promise<never>>;
const managers: BaseManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
});

async function serve(): Promise<ThrowerProxy> {
  const m = new BaseManager();
  managers.push(m);
  m.register('Thrower', Thrower);
  await m.start();
  return (await m.create('Thrower')) as never;
}

const thrown = (p: Promise<unknown>): Promise<Record<string, any>> =>
  p.then(
    () => expect.fail('expected a rejection'),
    (e: Record<string, any>) => e,
  );

function expectStandIn(value: unknown, path: string): void {
  expect(value).toBeInstanceOf(SerializationError);
  expect((value as SerializationError).path).toBe(path);
}

it("a field with one function keeps its other parts; that part stands in (axios's config.transform)", async () => {
  const err = await thrown((await serve()).axios());
  expect(err).toBeInstanceOf(Error);
  expect([err.message, err.code, err.status]).toEqual([
    'Request failed with status code 500',
    'ERR_BAD_RESPONSE',
    500,
  ]);
  expect(err.config.url).toBe('https://example.com/api');
  expect(err.config.method).toBe('get');
  expectStandIn(err.config.transform[0], 'error.config.transform[0]');
});

it('a field with a getter that throws keeps its other parts; a nested error and the cause too', async () => {
  const proxy = await serve();
  const err = await thrown(proxy.getter());
  expect(err).toBeInstanceOf(RangeError);
  expect(err.code).toBe('E_GETTER');
  expect(err.detail.ok).toBe(1);
  expectStandIn(err.detail.bad, 'error.detail.bad');
  const outer = await thrown(proxy.nested());
  expect(outer.message).toBe('outer');
  expect(outer.extra.at).toBe('field');
  expectStandIn(outer.extra.hook, 'error.extra.hook');
  expect(outer.cause).toBeInstanceOf(TypeError);
  expect(outer.cause.request.path).toBe('/x');
  expectStandIn(outer.cause.request.onDone, 'error.cause.request.onDone');
});
