// A misspelt option is refused, never ignored: `new Listener(addr, { authKey })` (the camelCase
// slip of `authkey`) used to listen WITHOUT authentication and let any local client in. Every
// constructor and factory of this package now throws ValidationError naming the unknown key and its
// right spelling, before it listens, connects or starts anything.

import {
  BaseManager,
  Client,
  JoinableQueue,
  Listener,
  Manager,
  Pipe,
  Queue,
  SimpleQueue,
  SyncManager,
  ValidationError,
} from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { z as z3 } from 'zod/v3';
import { thrown } from '../../../test-support/thrown.ts';

const listeners: Listener[] = [];
const managers: SyncManager[] = [];
afterEach(async () => {
  for (const l of listeners.splice(0)) l.close();
  await Promise.all(managers.splice(0).map((m) => m.shutdown()));
});

/** Expects a ValidationError that names `key` and the right spelling `right`. */
function expectMisspelt(err: Error, key: string, right: string): void {
  expect(err).toBeInstanceOf(ValidationError);
  expect(err.message).toContain(`'${key}'`);
  expect(err.message).toContain(`spelt ${right}`);
}

describe('Listener and Client refuse a misspelt authkey', () => {
  it('new Listener(addr, { authKey }) throws instead of listening without authentication', {
    timeout: 10_000,
  }, async () => {
    const err = await thrown(() => new Listener(undefined, { authKey: 'secret' } as never));
    expectMisspelt(err, 'authKey', 'authkey');
    // The right spelling still authenticates: a client without the key is refused.
    const keyed = new Listener(undefined, { authkey: 'secret' });
    listeners.push(keyed);
    const accepted = keyed.accept().catch((e: Error) => e);
    await expect(Client(keyed.address)).rejects.toMatchObject({ name: 'AuthenticationError' });
    keyed.close();
    await accepted;
  });

  it('Client(addr, { authKey }) rejects naming the spelling, before it connects', {
    timeout: 10_000,
  }, async () => {
    const listener = new Listener(undefined, { authkey: 'secret' });
    listeners.push(listener);
    const err = await thrown(() => Client(listener.address, { authKey: 'secret' } as never));
    expectMisspelt(err, 'authKey', 'authkey');
  });

  it('an unknown Listener option that is no slip is refused too', () => {
    expect(() => new Listener(undefined, { backlogg: 5 } as never)).toThrow(ValidationError);
  });
});

describe('managers refuse unknown options', () => {
  it('Manager({ authKey }), SyncManager.start({ authKey }), new BaseManager({ authKey })', {
    timeout: 10_000,
  }, async () => {
    expectMisspelt(await thrown(() => Manager({ authKey: 'x' } as never)), 'authKey', 'authkey');
    expectMisspelt(await thrown(() => SyncManager.start({ authKey: 'x' } as never)), 'authKey', 'authkey');
    expectMisspelt(await thrown(() => new SyncManager({ Address: 'x' } as never)), 'Address', 'address');
    expectMisspelt(await thrown(() => new BaseManager({ auth_key: 'x' } as never)), 'auth_key', 'authkey');
  });

  it("a manager's Barrier refuses a misspelt timeout", { timeout: 10_000 }, async () => {
    const m = Manager();
    managers.push(m);
    expect(() => m.Barrier(2, { timout: 5 } as never)).toThrow(ValidationError);
    expect((await m.Barrier(2, { timeout: 5 }).state()).parties).toBe(2);
  });
});

describe('queues and pipes name the right spelling', () => {
  it('maxSize -> maxsize, Duplex -> duplex; SimpleQueue has no maxsize at all', async () => {
    expectMisspelt(await thrown(() => new Queue({ maxSize: 2 } as never)), 'maxSize', 'maxsize');
    expectMisspelt(await thrown(() => new JoinableQueue({ max_size: 2 } as never)), 'max_size', 'maxsize');
    expectMisspelt(await thrown(() => Pipe({ Duplex: false } as never)), 'Duplex', 'duplex');
    const simple = await thrown(() => new SimpleQueue({ maxsize: 2 } as never));
    expect(simple).toBeInstanceOf(ValidationError);
    expect(simple.message).toContain("'maxsize'");
  });
});

describe('the schema option', () => {
  const makers = {
    'new Queue()': (schema: unknown) => new Queue({ schema } as never).close(),
    'new JoinableQueue()': (schema: unknown) => new JoinableQueue({ schema } as never).close(),
    'new SimpleQueue()': (schema: unknown) => new SimpleQueue({ schema } as never).close(),
    'Pipe()': (schema: unknown) => {
      for (const end of Pipe({ schema } as never)) end.close();
    },
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name} takes the same shapes as every other: a zod 4 schema, classic or mini`, () => {
      expect(() => make(z.number())).not.toThrow();
      expect(() => make(zm.number())).not.toThrow();
      // An object with only a safeParse() method checked here, but had no JSON Schema for a copy
      // in another worker: refused at once, as the type refuses it.
      for (const bad of [
        { safeParse: (v: unknown) => ({ success: true, data: v }) },
        { parse: (v: unknown) => v },
        5,
      ]) {
        expect(() => make(bad)).toThrow(ValidationError);
        expect(() => make(bad)).toThrow(
          /Invalid option 'schema' .*expected a zod 4 schema \(from `zod` or `zod\/mini`\)/,
        );
      }
    });

    it(`${name} refuses a zod 3 schema at once, saying to build it with zod 4`, () => {
      expect(() => make(z3.number())).toThrow(ValidationError);
      expect(() => make(z3.number())).toThrow(/got a zod 3 one .*import \{ z \} from 'zod'/);
      // A project with zod@3 gets zod 3 from 'zod': the message says how to reach zod 4 from there.
      expect(() => make(z3.number())).toThrow(/npm install zod@4.*'zod\/v4'` on zod 3\.25/);
    });
  }
});
