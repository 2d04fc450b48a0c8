// Every options object refuses a key it does not know, so a misspelt option never silently drops a
// setting (a Barrier without its timeout, a Value with a lock it was told not to have); the error
// names the key and, for a case or underscore slip or a Python name, the right spelling.

import {
  abandonOwner,
  Barrier,
  ByteChannel,
  checkOptionKeys,
  Lock,
  RawArray,
  RawValue,
  SharedArray,
  spellingOf,
  ValidationError,
  Value,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
}

describe('checkOptionKeys()', () => {
  it('passes known keys, no options, and null', () => {
    expect(() => checkOptionKeys({ lock: true }, ['lock'], 'x()')).not.toThrow();
    expect(() => checkOptionKeys({}, ['lock'], 'x()')).not.toThrow();
    expect(() => checkOptionKeys(undefined, ['lock'], 'x()')).not.toThrow();
    expect(() => checkOptionKeys(null, ['lock'], 'x()')).not.toThrow();
  });

  it('refuses an unknown key with ValidationError naming it and the call', () => {
    const err = thrown(() => checkOptionKeys({ lock: true, colour: 1 }, ['lock'], 'new Thing()'));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain("'colour'");
    expect(err.message).toContain('new Thing()');
  });

  it('refuses options that are not an object', () => {
    expect(() => checkOptionKeys(5, ['lock'], 'x()')).toThrow(ValidationError);
    expect(() => checkOptionKeys([], ['lock'], 'x()')).toThrow(ValidationError);
  });

  it('ignores inherited keys: only what the caller wrote counts', () => {
    const options = Object.create({ inherited: 1 }) as object;
    expect(() => checkOptionKeys(options, ['lock'], 'x()')).not.toThrow();
  });
});

describe('spellingOf()', () => {
  it('finds case and underscore slips and Python names', () => {
    expect(spellingOf('authKey', ['authkey', 'backlog'])).toBe('authkey');
    expect(spellingOf('max_size', ['maxsize'])).toBe('maxsize');
    expect(spellingOf('keep_alive', ['timeout', 'keepAlive'])).toBe('keepAlive');
    expect(spellingOf('maxtasksperchild', ['maxTasksPerChild'])).toBe('maxTasksPerChild');
    expect(spellingOf('colour', ['authkey'])).toBeUndefined();
  });
});

describe('constructors refuse unknown options', () => {
  it('Barrier: a misspelt timeout is refused, not dropped', () => {
    const err = thrown(() => new Barrier(2, { timout: 5 } as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain("'timout'");
    expect(new Barrier(2, { timeout: 5 }).parties).toBe(2);
  });

  it('Value and SharedArray: a misspelt lock option is refused, not taken as lock: true', () => {
    expect(() => new Value('i', 1, { lok: false } as never)).toThrow(ValidationError);
    expect(() => new SharedArray('i', 2, { lock: false, extra: 1 } as never)).toThrow(ValidationError);
    expect(new Value('i', 1, { lock: false })).toBeInstanceOf(RawValue);
    expect(new SharedArray('i', 2, { lock: false })).toBeInstanceOf(RawArray);
    expect(new Value('i', 1, { lock: new Lock() }).getLock()).toBeInstanceOf(Lock);
  });

  it('ByteChannel: an unknown constructor option and a case slip in a read option', () => {
    expect(() => new ByteChannel({ capacty: 64 } as never)).toThrow(ValidationError);
    const channel = new ByteChannel({ capacity: 64 });
    const err = thrown(() => channel.readSync({ timeout: 0, keepalive: true } as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('keepAlive');
    expect(() => channel.tryRead({ int: new Uint8Array(8) } as never)).toThrow(ValidationError);
  });

  it('abandonOwner(): a misspelt endedNormally is refused', () => {
    const err = thrown(() => abandonOwner(0x7fff_fff0, { ended_normally: true } as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('endedNormally');
  });

  it('a waiting method names the right spelling of a case slip in its timeout option', async () => {
    const lock = new Lock();
    const err = await lock.acquire({ Timeout: 10 } as never).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('spelt timeout');
  });
});
