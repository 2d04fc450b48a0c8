// A shared array met with an Array's (or Python list's) habits: `arr.map(f)` was
// "TypeError: arr.map is not a function", `arr.push(x)` the same, `arr.size` read undefined. Each
// now throws ValidationError naming what to write: toArray() or view for the readers, get(i) for
// at(), length for size, and the fixed length for push and the like. A dependency probing one
// (code under node_modules) still reads it as absent.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RawArray, SharedArray, ValidationError } from '@multiproc/shared';
import { afterAll, describe, expect, it } from 'vitest';

function refusal(read: () => unknown): string {
  let err: unknown;
  try {
    read();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('MP_VALIDATION');
  return (err as Error).message;
}

const dir = mkdtempSync(join(tmpdir(), 'array-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['SharedArray', () => new SharedArray('i', [3, 1, 2]) as any],
  ['RawArray', () => new RawArray('i', [3, 1, 2]) as any],
])('a %s used as a JavaScript Array', (_, make) => {
  it('map, forEach, filter, reduce name toArray() and view', () => {
    const arr = make();
    for (const name of ['map', 'forEach', 'filter', 'reduce', 'includes', 'indexOf', 'join']) {
      const message = refusal(() => arr[name]((x: number) => x));
      expect(message).toContain(`arr.toArray().${name}(`);
      expect(message).toContain(`arr.view.${name}(`);
    }
    // What the advice says works, on the same items.
    expect(arr.toArray().map((x: number) => x * 2)).toEqual([6, 2, 4]);
    expect(Array.from(arr.view.filter((x: number) => x > 1))).toEqual([3, 2]);
  });

  it('push, pop, splice and Python’s append say the length is fixed', () => {
    const arr = make();
    for (const name of ['push', 'pop', 'shift', 'unshift', 'splice', 'append', 'extend']) {
      expect(refusal(() => arr[name](1))).toMatch(/its length is fixed.*arr\.set\(i, value\)/);
    }
    expect(arr.length).toBe(3); // nothing was added
  });

  it('sort names the lock for the in-place view, at names get(i), size names length', () => {
    const arr = make();
    expect(refusal(() => arr.sort())).toMatch(
      /arr\.view\.sort\(…\) does it in place.*arr\.toArray\(\)\.sort/,
    );
    expect(refusal(() => arr.at(-1))).toContain('arr.get(i)');
    expect(refusal(() => arr.size)).toContain('arr.length');
    expect(refusal(() => arr.tolist())).toContain('toArray()');
    expect(arr.length).toBe(3);
    expect(arr.get(-1)).toBe(2);
  });

  it('still works where it did: iteration, spread, Array.from, JSON, slice', () => {
    const arr = make();
    expect([...arr]).toEqual([3, 1, 2]);
    expect(Array.from(arr)).toEqual([3, 1, 2]);
    expect(JSON.stringify(arr)).toBe('[3,1,2]');
    expect(arr.slice(1)).toEqual([1, 2]);
    expect(arr.toArray()).toEqual([3, 1, 2]);
  });

  it('probed by a dependency (code under node_modules) reads as absent, as before', async () => {
    const lib = join(dir, 'node_modules', `array-probe-${_}`);
    mkdirSync(lib, { recursive: true });
    writeFileSync(
      join(lib, 'index.mjs'),
      'export function toList(x) { return typeof x.map === "function" ? "array" : Array.from(x); }\n' +
        'export function count(x) { return x.size ?? x.length; }\n',
    );
    const { toList, count } = await import(pathToFileURL(join(lib, 'index.mjs')).href);
    const arr = make();
    expect(toList(arr)).toEqual([3, 1, 2]);
    expect(count(arr)).toBe(3);
  });
});
