// What a task throws reaches its caller: a part that cannot be sent stands in for itself alone.
// Before, a thrown value whose String() throws (an array holding a symbol, an object without a
// prototype) came back as a SerializationError saying "reading it threw TypeError: Cannot convert
// a Symbol value to a string ... no getter or Proxy that throws", and an error with a field or
// cause nested past the 1000-level limit was replaced whole by that limit's SerializationError:
// its class, message and `code` were lost. errors.md promises the task's own error (or the thrown
// value's description and its sendable fields) with the bad part named.
import { describe, expect, it } from 'vitest';
import { SerializationError, thrownOrError, toErrorRecord } from '../src/index.js';

type Back = Error & Record<string, any>;
const hop = (value: unknown): Back =>
  thrownOrError(structuredClone(toErrorRecord(value, 0, 'error', 'process'))) as Back;

function deep(levels: number): object {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 0; i < levels; i++) at = at.n = {};
  return root;
}

describe('a thrown value with a part that cannot be sent', () => {
  it('whose String() throws comes back described, with its sendable fields', () => {
    const nullProto = Object.assign(Object.create(null), { status: 5, cb: () => 0 });
    const badText = {
      toString: () => {
        throw new Error('no text');
      },
      status: 6,
    };
    const cases: [unknown, string, unknown][] = [
      [[Symbol('x')], '[ Symbol(x) ]', undefined],
      [nullProto, '[Object: null prototype]', 5],
      [badText, '{ toString: [Function: toString], status: 6 }', 6],
    ];
    for (const [value, shown, status] of cases) {
      const back = hop(value);
      expect(back).not.toBeInstanceOf(SerializationError);
      expect(back).toBeInstanceOf(Error);
      expect(back.message).toContain(`A non-Error value was thrown: ${shown}`);
      expect(back.message).toContain('it cannot be sent back');
      expect(back.status).toBe(status);
      expect(typeof back.thrown).toBe('string');
    }
  });

  it('an error with a field or cause nested too deep keeps its class, message and code', () => {
    const fielded = hop(Object.assign(new RangeError('mine'), { code: 'E_MINE', detail: deep(1e4) }));
    expect(fielded).toBeInstanceOf(RangeError);
    expect([fielded.message, fielded.code]).toEqual(['mine', 'E_MINE']);
    expect(fielded.detail).toBeInstanceOf(SerializationError);
    expect(fielded.detail.path).toMatch(/^error\.detail\.n\.n/);
    expect(fielded.detail.message).toContain('nested more than 1000');

    const caused = hop(new TypeError('outer', { cause: deep(2000) }));
    expect(caused).toBeInstanceOf(TypeError);
    expect(caused.message).toBe('outer');
    expect(caused.cause).toBeInstanceOf(SerializationError);
    expect((caused.cause as SerializationError).path).toMatch(/^error\.cause\.n/);
  });

  it('a thrown object with a field nested too deep keeps its other fields', () => {
    const back = hop({ status: 409, detail: deep(1e4) });
    expect(back.status).toBe(409);
    expect(back.detail).toBeInstanceOf(SerializationError);
    expect(back.message).toContain('A non-Error value was thrown');
  });
});
