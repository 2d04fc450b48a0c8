// Iterating a manager dict (`for await (const k of d)`) never yields a key deleted before the loop
// reaches it: after clear() it ends, as a Map iterator does (Python's raises RuntimeError; both
// refuse to hand out a key that is gone).
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const kit = managerTestKit();

async function fiveKeys() {
  const m = await kit.manager();
  const d = m.dict<number, string>();
  for (let i = 65; i < 70; i++) await d.set(i, String.fromCharCode(i));
  return d;
}

describe('a manager dict iterator', () => {
  it('yields every key in insertion order, then is exhausted', async () => {
    const d = await fiveKeys();
    const keys: number[] = [];
    for await (const k of d) keys.push(k);
    expect(keys).toEqual([65, 66, 67, 68, 69]);
  }, 15_000);

  it('ends after clear() instead of yielding keys that are gone', async () => {
    const d = await fiveKeys();
    const it = d[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 65, done: false });
    await d.clear();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  }, 15_000);

  it('skips a key deleted before the loop reaches it', async () => {
    const d = await fiveKeys();
    const keys: number[] = [];
    for await (const k of d) {
      keys.push(k);
      if (k === 66) await d.delete(68);
    }
    expect(keys).toEqual([65, 66, 67, 69]);
  }, 15_000);
});
