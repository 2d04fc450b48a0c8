// What the errors say: the class an object is, with its article; where a value was going (a
// child process, a queue's values); the real problem with an index; a barrier that could never
// be passed (not "timed out"). And a float32 that would become Infinity does not fit 'f'.

import { execFileSync } from 'node:child_process';
import {
  Event,
  encodeValue,
  RawArray,
  RawValue,
  RLock,
  SharedArray,
  ValidationError,
  Value,
  withArticle,
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

describe('error messages', () => {
  it('shared memory sent to a process: the class, its article, and where it was going', () => {
    const toChild = thrown(() => encodeValue([new Event()], 'process', 'args'));
    expect(toChild).toMatchObject({ code: 'MP_CONTEXT' });
    expect(toChild.message).toMatch(/args\[0\] \(an Event\) to a child process/);
    const viaQueue = thrown(() =>
      encodeValue({ a: new RawArray('i', 1) }, 'process', 'value', { destination: 'through a queue' }),
    );
    expect(viaQueue.message).toMatch(/value\.a \(a RawArray\) through a queue:/);
    expect(viaQueue.message).toMatch(/getContext\('process'\)\.Array\(\)/);
    const back = thrown(() => encodeValue(new RawValue('i', 1), 'process', 'result'));
    expect(back.message).toMatch(/\(a RawValue\) back to the parent process/);
    // A result that cannot come back is a SerializationError naming its path (the contract's Pool rule).
    expect(back).toMatchObject({ code: 'MP_SERIALIZATION', path: 'result' });
    const deep = thrown(() =>
      encodeValue({ v: [new Int32Array(new SharedArrayBuffer(8))] }, 'process', 'result'),
    );
    expect(deep).toMatchObject({ code: 'MP_SERIALIZATION', path: 'result.v[0]' });
    expect(thrown(() => encodeValue(new SharedArray('d', 1), 'process', 'args')).message).toMatch(
      /\(a SharedArray\)/,
    );
    // An initialism is read letter by letter: "an RLock" ("ar-lock").
    expect(thrown(() => encodeValue([new RLock()], 'process', 'args')).message).toMatch(
      /args\[0\] \(an RLock\) to a child process/,
    );
  });

  it('withArticle() gives each class or type name the article it is read with', () => {
    const cases: [string, string][] = [
      ['Lock', 'a Lock'],
      ['Event', 'an Event'],
      ['RLock', 'an RLock'],
      ['RawValue', 'a RawValue'],
      ['URL', 'a URL'],
      ['Uint8Array', 'a Uint8Array'],
      ['Int32Array', 'an Int32Array'],
      ['HTTPError', 'an HTTPError'],
      ['object', 'an object'],
      ['undefined', 'an undefined'],
      ['bigint', 'a bigint'],
    ];
    for (const [word, phrase] of cases) expect(withArticle(word)).toBe(phrase);
    expect(thrown(() => new SharedArray('i', 1).get({} as never)).message).toMatch(/got an object/);
  });

  it('an index that is not an integer says so, not "out of range"', () => {
    const a = new SharedArray('i', 3);
    for (const bad of ['1', 1.5, null]) {
      const err = thrown(() => a.get(bad as never));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toMatch(/integer/);
      expect(err.message).not.toMatch(/out of range/);
    }
    expect(thrown(() => a.get(3)).message).toMatch(/out of range/);
  });

  it("Python's character typecodes 'c' and 'u' are refused with what to use instead", () => {
    const char = thrown(() => new Value('c' as 'i', 0));
    expect(char).toBeInstanceOf(ValidationError);
    expect(char.message).toMatch(/'c', Python's one-byte char/);
    expect(char.message).toMatch(/SharedArray\('B', Buffer\.from/);
    const wide = thrown(() => new SharedArray('u' as never, 3));
    expect(wide).toBeInstanceOf(ValidationError);
    expect(wide.message).toMatch(/'u', Python's wide char/);
    // The hint's own advice works: bytes in 'B' from a Buffer.
    expect(Buffer.from(new SharedArray('B', Buffer.from('text')).view).toString()).toBe('text');
    expect(thrown(() => new Value('x' as 'i', 0)).message).not.toMatch(/Python's/);
  });

  it("ctypes', C's and typed arrays' names for a typecode are refused with the typecode to give", () => {
    // Python's `Value(c_int, 0)` ported as written, or a C or typed-array name: the typecode that
    // holds the same numbers, so the fix is one edit.
    const cases: [unknown, string][] = [
      ['c_int', "'i' holds what 'c_int' names"],
      ['c_double', "'d' holds what 'c_double' names"],
      ['c_ulonglong', "'Q' holds what 'c_ulonglong' names"],
      ['Float32', "'f' holds what 'Float32' names"],
      ['int', "'i' holds what 'int' names"],
      [Int32Array, "Int32Array is 'i'"],
      [BigUint64Array, "BigUint64Array is 'Q'"],
      [Map, "Float64Array is 'd'"],
    ];
    for (const [typecode, hint] of cases) {
      const err = thrown(() => new Value(typecode as 'i', 0));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain(hint);
      expect(thrown(() => new SharedArray(typecode as 'i', 1)).message).toContain(hint);
    }
    expect(thrown(() => new Value('c_wchar' as 'i', 0)).message).toMatch(/f d\.$/);
  });

  it('a barrier nothing can pass breaks with a message that does not say it timed out', () => {
    const program = `
      const { Barrier } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      await new Barrier(2).wait().catch((err) => console.log(err.name + ': ' + err.message));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(out).toMatch(/^BrokenBarrierError: .*could never be passed/);
    expect(out).not.toMatch(/timed out/);
  });
});

describe("typecode 'f'", () => {
  it('a finite value past float32 range does not fit; Infinity, NaN and the largest float32 do', () => {
    for (const bad of [1e39, -1e39, 3.4028236e38]) {
      expect(() => new Value('f', bad)).toThrow(ValidationError);
      expect(() => new SharedArray('f', [bad])).toThrow(ValidationError);
    }
    for (const ok of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.4028234663852886e38, 1e-50]) {
      expect(new Value('f', ok).value).toBe(Math.fround(ok));
    }
    expect(Number.isNaN(new Value('f', Number.NaN).value)).toBe(true);
    expect(new Value('d', 1e300).value).toBe(1e300);
  });
});
