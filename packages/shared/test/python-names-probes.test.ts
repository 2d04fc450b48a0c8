// Session 56 marked piscina's, tinypool's and workerpool's member names on Pool (run, destroy,
// completed, ...): reading one throws advice. Two uses that do not mean those pools met it too:
// a subclass or wrapper assigning such a name (`this.completed = 0`: TypeError "Cannot set property
// completed ... which has only a getter"), and a dependency probing it (`typeof x.destroy ===
// 'function'` in a cleanup library: the advice thrown inside someone else's code).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BoundedSemaphore,
  Condition,
  definePythonNames,
  isPythonName,
  Lock,
  RLock,
  Semaphore,
  ValidationError,
} from '../src/index.js';

class Thing {
  size(): number {
    return 1;
  }
}
definePythonNames(Thing.prototype, {
  get_size: 'size()',
  destroy: { message: 'destroy() is terminate() here.' },
});

const dir = mkdtempSync(join(tmpdir(), 'python-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a marked name', () => {
  it("read by the program's own code still throws the advice", () => {
    expect(() => (new Thing() as any).destroy).toThrow(ValidationError);
    expect(() => (new Thing() as any).get_size).toThrow(/write size\(\)/);
  });

  it('assigned, in a subclass constructor or by Object.assign, becomes an own property', () => {
    class Counting extends Thing {
      constructor() {
        super();
        (this as any).destroy = () => 'mine';
      }
    }
    const counted = new Counting() as any;
    expect(counted.destroy()).toBe('mine');
    expect(Object.keys(counted)).toEqual(['destroy']);
    const assigned = Object.assign(new Thing(), { get_size: 7 }) as any;
    expect(assigned.get_size).toBe(7);
    expect(isPythonName(assigned, 'get_size')).toBe(false);
    // Only that instance: another still gets the advice.
    expect(() => (new Thing() as any).get_size).toThrow(ValidationError);
  });

  it('probed by a dependency (code under node_modules) reads as absent', async () => {
    const lib = join(dir, 'node_modules', 'cleanup-lib');
    mkdirSync(lib, { recursive: true });
    writeFileSync(
      join(lib, 'index.mjs'),
      'export function dispose(x) { return typeof x.destroy === "function" ? x.destroy() : "none"; }\n' +
        'export function optional(x) { return x.get_size?.() ?? "none"; }\n',
    );
    const { dispose, optional } = await import(pathToFileURL(join(lib, 'index.mjs')).href);
    expect(dispose(new Thing())).toBe('none');
    expect(optional(new Thing())).toBe('none');
  });

  it('read by a program installed as a package (npx my-cli: its code under node_modules) still throws the advice', async () => {
    // A package that depends on multiproc is written against it: its own code is the program's.
    const cli = join(dir, 'node_modules', '.pnpm', 'my-cli@1.0.0', 'node_modules', 'my-cli');
    mkdirSync(join(cli, 'dist'), { recursive: true });
    writeFileSync(
      join(cli, 'package.json'),
      JSON.stringify({ name: 'my-cli', dependencies: { '@multiproc/multiproc': '^1.0.0' } }),
    );
    writeFileSync(join(cli, 'dist', 'cli.mjs'), 'export function stop(x) { return x.destroy(); }\n');
    const { stop } = await import(pathToFileURL(join(cli, 'dist', 'cli.mjs')).href);
    expect(() => stop(new Thing())).toThrow(/terminate\(\) here/);
  });
});

// `using lock = new Lock()` (Python's `with lock:`) met Node's "TypeError: Symbol(Symbol.dispose) is
// not a function" at the declaration, which reads the key: it reads advice naming withLock() now.
describe('`using` and `await using` on a lock, a semaphore or a condition', () => {
  it.each([
    ['Lock', () => new Lock()],
    ['RLock', () => new RLock()],
    ['Semaphore', () => new Semaphore(2)],
    ['BoundedSemaphore', () => new BoundedSemaphore(2)],
    ['Condition', () => new Condition()],
  ])('%s: reading either dispose key throws ValidationError naming withLock()', (_, make) => {
    const made = make() as any;
    for (const key of [Symbol.dispose, Symbol.asyncDispose]) {
      expect(() => made[key]).toThrow(ValidationError);
      expect(() => made[key]).toThrow(/withLock\(/);
    }
  });
});
