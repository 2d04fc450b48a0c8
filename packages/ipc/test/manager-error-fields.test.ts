// An error a served object throws keeps over the manager wire what it keeps through a Pool (core's
// error codec, CONTRACT.md Pool): an AggregateError's `errors`, a SuppressedError's `error` and
// `suppressed` (Node 24 has the class; on Node 20 and 22 an Error named so with those two fields),
// its `cause` whatever it is, and its own fields, objects too. They were dropped (`errors` came
// back empty, `error` and `suppressed` missing, an object cause or field gone).
import { BaseManager } from '@multiproc/ipc';
import { SerializationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const kit = managerTestKit();

const SuppressedErrorClass = (
  globalThis as { SuppressedError?: new (e: unknown, s: unknown, m: string) => Error }
).SuppressedError;

/** A SuppressedError: the class where this Node has it, else an Error named so with its fields. */
function suppressedError(error: unknown, suppressed: unknown, message: string): Error {
  if (SuppressedErrorClass) return new SuppressedErrorClass(error, suppressed, message);
  return Object.assign(new Error(message), { name: 'SuppressedError', error, suppressed });
}

const fails = (what: string) => (): never => {
  throw new Error(`${what} threw`);
};

class QuotaError extends RangeError {
  override get name(): string {
    return fails('name getter')();
  }
}

class LostMessage extends TypeError {
  code = 'E_MSG';
  override get message(): string {
    return fails('message getter')();
  }
}

class Thrower {
  aggregate(): never {
    throw new AggregateError([new TypeError('first'), new RangeError('second'), 'third'], 'all failed');
  }
  suppressed(): never {
    throw suppressedError(new TypeError('while disposing'), new Error('the original'), 'disposal failed');
  }
  objectCause(): never {
    throw new Error('outer', { cause: { code: 7, list: [1, 2] } });
  }
  objectField(): never {
    throw Object.assign(new Error('with fields'), {
      code: 'E_X',
      details: { at: [1, 2, 3] },
      inner: new RangeError('inner'),
    });
  }
  // Parts that throw while they are read (a getter, a Proxy's trap): see the last test.
  nameGetter(): never {
    throw new QuotaError('over quota');
  }
  messageGetter(): never {
    throw new LostMessage();
  }
  keysTrap(): never {
    throw new Proxy(Object.assign(new SyntaxError('keys hidden'), { code: 'E_KEYS', extra: 1 }), {
      ownKeys: fails('ownKeys trap'),
    });
  }
  stackAndFieldGetters(): never {
    const e = new RangeError('two bad parts');
    Object.defineProperty(e, 'stack', { get: fails('stack getter') });
    Object.defineProperty(e, 'bad', { enumerable: true, get: fails('field getter') });
    throw e;
  }
  // Returns (not throws) an error whose name getter throws, at the top and nested.
  returnNameGetter(): Error {
    return new QuotaError('over quota');
  }
  returnNestedStackGetter(): unknown {
    const e = new RangeError('no stack');
    Object.defineProperty(e, 'stack', { get: fails('stack getter') });
    return { list: [e] };
  }
  unsendableField(): never {
    throw Object.assign(new Error('with a function'), { code: 'E_FN', fn: () => 1 });
  }
}

type ThrowerProxy = Record<keyof Thrower, () => Promise<never>>;

async function serve(): Promise<ThrowerProxy> {
  const server = new BaseManager();
  server.register('Thrower', Thrower);
  await server.start();
  kit.cleanup.push(() => server.shutdown());
  return (await server.create('Thrower')) as never;
}

const thrown = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & Record<string, unknown>,
  );

describe("a served object's error keeps its nested values over the manager wire", () => {
  it("an AggregateError's errors", async () => {
    const err = await thrown((await serve()).aggregate());
    expect(err).toBeInstanceOf(AggregateError);
    expect(err.message).toBe('all failed');
    const errors = err.errors as unknown[];
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(errors[0]).toMatchObject({ message: 'first' });
    expect(errors[1]).toBeInstanceOf(RangeError);
    expect(errors[2]).toBe('third');
  });

  it("a SuppressedError's error and suppressed", async () => {
    const err = await thrown((await serve()).suppressed());
    expect(err.name).toBe('SuppressedError');
    expect(err.message).toBe('disposal failed');
    if (SuppressedErrorClass) expect(err).toBeInstanceOf(SuppressedErrorClass);
    expect(err.error).toBeInstanceOf(TypeError);
    expect(err.error).toMatchObject({ message: 'while disposing' });
    expect(err.suppressed).toBeInstanceOf(Error);
    expect(err.suppressed).toMatchObject({ message: 'the original' });
  });

  it('a cause that is an object, and own fields that are objects or errors', async () => {
    const proxy = await serve();
    const caused = await thrown(proxy.objectCause());
    expect(caused.cause).toEqual({ code: 7, list: [1, 2] });
    const fields = await thrown(proxy.objectField());
    expect(fields).toMatchObject({ code: 'E_X', details: { at: [1, 2, 3] } });
    expect(fields.inner).toBeInstanceOf(RangeError);
    expect(fields.inner).toMatchObject({ message: 'inner' });
  });

  it('an error with a field the codec refuses still comes back, without that field', async () => {
    const err = await thrown((await serve()).unsendableField());
    expect(err.message).toBe('with a function');
    expect(err.code).toBe('E_FN');
    // The field stands in as the SerializationError naming it, as a pool task's error does.
    expect(err.fn).toBeInstanceOf(SerializationError);
    expect((err.fn as SerializationError).path).toBe('error.fn');
  });

  // Before, such an error made the manager's reply throw: the call never answered, the connection
  // closed (ManagerClosedError) and the manager's program died of the getter's error.
  it('an error whose name, message, key list, stack or a field throws while read comes back with what can be read', async () => {
    const proxy = await serve();
    const noName = await thrown(proxy.nameGetter());
    expect(noName).toBeInstanceOf(RangeError);
    expect(noName).toMatchObject({ name: 'QuotaError', message: 'over quota' });
    expect((noName.cause as Error).message).toBe('name getter threw');
    const noMessage = await thrown(proxy.messageGetter());
    expect(noMessage).toBeInstanceOf(TypeError);
    expect(noMessage.message).toBe(
      '(its message could not be read: reading it threw Error: message getter threw)',
    );
    expect(noMessage.code).toBe('E_MSG');
    expect((noMessage.cause as Error).message).toBe('message getter threw');
    const noKeys = await thrown(proxy.keysTrap());
    expect(noKeys).toBeInstanceOf(SyntaxError);
    expect(noKeys).toMatchObject({ message: 'keys hidden', code: 'E_KEYS' });
    expect(noKeys.extra).toBeUndefined();
    expect(noKeys.stack).toMatch(/fields could not be listed.*ownKeys trap threw/);
    const parts = await thrown(proxy.stackAndFieldGetters());
    expect(parts).toBeInstanceOf(RangeError);
    expect(parts.message).toBe('two bad parts');
    expect(parts.stack).toMatch(/^RangeError: two bad parts\n.*stack could not be read.*stack getter threw/s);
    expect(parts.bad).toBeInstanceOf(SerializationError);
    expect(parts.bad).toMatchObject({ path: 'error.bad' });
    // The manager lives on.
    expect((await thrown(proxy.objectCause())).message).toBe('outer');
  });
});

// An error sent as a value (returned by a served method, or given to a proxy) is refused like any
// value whose getter throws: a SerializationError naming the part, the getter's error its cause.
// Before, it was sent and arrived as a SerializationError object in the error's place.
describe('an error sent as a value whose part throws while read', () => {
  it('a served method returning one rejects naming result.<part>; a proxy refuses one as value.<part>', async () => {
    const proxy = (await serve()) as unknown as Record<string, () => Promise<unknown>>;
    for (const [method, path, what] of [
      ['returnNameGetter', 'result.name', 'name getter'],
      ['returnNestedStackGetter', 'result.list[0].stack', 'stack getter'],
    ] as const) {
      const err = await thrown(proxy[method]!());
      expect(err).toBeInstanceOf(SerializationError);
      expect(err.path).toBe(path);
      expect((err.cause as Error).message).toBe(`${what} threw`);
    }
    const dict = (await (await kit.manager()).dict()) as unknown as {
      set(k: string, v: unknown): Promise<void>;
      get(k: string): Promise<unknown>;
    };
    const refused = await thrown(Promise.resolve().then(() => dict.set('k', new QuotaError('x'))));
    expect(refused).toBeInstanceOf(SerializationError);
    expect(refused.path).toBe('value.name');
    // Both live on.
    await dict.set('k', 1);
    expect(await dict.get('k')).toBe(1);
    expect((await thrown(proxy.objectCause!())).message).toBe('outer');
  });
});
