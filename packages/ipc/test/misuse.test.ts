// Misuse ipc now names instead of accepting it or describing it badly: a manager dict's set() or
// get() without its key (it stored `undefined` under `undefined`), a manager Queue given
// `{ maxsize }` as `new Queue({ maxsize })` takes it, and an offset to sendBytes() or
// recvBytesInto() that is not an integer (it said "do not fit").
import { Pipe, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();

type Any = (...args: unknown[]) => Promise<unknown>;

describe("a manager's dict", () => {
  it('refuses set() without its key and value, and get()/has()/delete()/pop()/setdefault() without a key', {
    timeout: 15_000,
  }, async () => {
    const m = await manager();
    const d = m.dict();
    await expect((d.set as Any).call(d)).rejects.toThrow(
      /dict\.set\(\) takes a key and a value, but was given none/,
    );
    await expect((d.set as Any).call(d, 'k')).rejects.toThrow(ValidationError);
    for (const method of ['get', 'has', 'delete', 'pop', 'setdefault'] as const) {
      await expect(((d as unknown as Record<string, Any>)[method] as Any).call(d)).rejects.toThrow(
        new RegExp(`dict\\.${method}\\(\\) takes a key, but was given none`),
      );
    }
    expect(await d.len()).toBe(0); // nothing was stored
    await d.set(undefined, 1); // given explicitly, undefined is a key (Python's None)
    expect(await d.get(undefined)).toBe(1);
  });

  it('Queue({ maxsize }) and JoinableQueue({ maxsize }) take it as new Queue({ maxsize }) does', {
    timeout: 15_000,
  }, async () => {
    const m = await manager();
    const q = m.Queue({ maxsize: 2 });
    await q.put(1);
    await q.put(2);
    expect(await q.full()).toBe(true);
    expect(await m.JoinableQueue({ maxsize: 1 }).full()).toBe(false);
    expect(await m.Queue({}).full()).toBe(false); // no limit
    expect(() => m.Queue({ maxsise: 2 } as never)).toThrow(/Unknown option 'maxsise'.*spelt maxsize/);
    expect(() => m.Queue('2' as never)).toThrow(/got the string '2'/);
  });
});

describe('byte offsets', () => {
  it('a sendBytes() or recvBytesInto() offset that is not an integer is named so, not "does not fit"', async () => {
    const [a, b] = Pipe();
    const buf = new Uint8Array(3);
    for (const offset of [1.5, Number.NaN, '1']) {
      expect(() => a.sendBytes(buf, offset as number)).toThrow(
        /sendBytes\(\): offset must be an integer number of bytes, got/,
      );
    }
    expect(() => a.sendBytes(buf, 0, 0.5)).toThrow(
      /size must be an integer number of bytes, got the number 0\.5/,
    );
    expect(() => a.sendBytes(buf, 4)).toThrow(/offset 4 does not fit a buffer of 3 bytes/);
    await expect(b.recvBytesInto(buf, Number.NaN)).rejects.toThrow(
      /offset must be an integer number of bytes/,
    );
    a.close();
    b.close();
  });
});
