// A thrown value that could not be sent comes back as an Error whose hidden `thrown` holds its
// text. Sent on again (a pool inside a worker rethrows it, a BullMQ worker answers with what its
// own pool gave it), it must arrive the same: it lost `thrown` before, as an Error's hidden field.
import { describe, expect, it } from 'vitest';
import { thrownOrError, toErrorRecord } from '../src/index.js';

type Relayed = Error & { thrown?: unknown; status?: unknown };
const hop = (value: unknown): Relayed => thrownOrError(structuredClone(toErrorRecord(value))) as Relayed;

describe('a thrown value that cannot be sent, sent on again', () => {
  it('keeps its text as thrown, its message and fields, hop after hop', () => {
    const cases: [unknown, string][] = [
      [function retryLater() {}, 'function retryLater() {}'],
      [Symbol('why'), 'Symbol(why)'],
      [{ status: 409, cb: () => 0 }, '[object Object]'],
    ];
    for (const [value, text] of cases) {
      const once = hop(value);
      const twice = hop(once);
      const thrice = hop(twice);
      for (const got of [once, twice, thrice]) {
        expect(got).toBeInstanceOf(Error);
        expect(got.thrown).toBe(text);
        expect(Object.getOwnPropertyDescriptor(got, 'thrown')?.enumerable).toBe(false);
        expect(got.message).toBe(once.message);
        expect(got.status).toBe(once.status);
      }
    }
  });

  it('an Error of your own with a thrown field is still an Error with it as a field', () => {
    const own = Object.defineProperty(new RangeError('mine'), 'thrown', { value: 'x', enumerable: false });
    const back = hop(own);
    expect(back).toBeInstanceOf(RangeError);
    expect(back.thrown).toBeUndefined(); // hidden fields do not travel, as before
    const visible = hop(Object.assign(new RangeError('mine'), { thrown: 'x' }));
    expect(visible).toBeInstanceOf(RangeError);
    expect(visible.thrown).toBe('x');
  });
});
