// The default namespace reads like `import multiprocessing as mp`: `mp.Array('i', 5)` is Python's
// `multiprocessing.Array`, the default context's `Array` (a `SharedArray` until
// setStartMethod('process'): see start-method-factories.test.ts; on the namespace only: a named
// export `Array` would shadow JavaScript's), and Python's spellings of the module's functions
// (`mp.cpu_count()`, `mp.set_start_method()`) throw a ValidationError naming the camelCase member,
// as the prototypes do for `get_lock()`, instead of being plain `undefined`.
import { inspect } from 'node:util';
import mp, * as umbrella from '@multiproc/multiproc';
import {
  encodeValue,
  SerializationError,
  SharedArray,
  type SynchronizedArray,
  ValidationError,
} from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';

describe('mp.Array', () => {
  it("is Python's Array: the SharedArray factory of the default context", () => {
    expect(mp.Array.prototype).toBe(mp.getContext('thread').Array.prototype);
    expect(mp.Array).toBe(mp.SharedArray);
    const a = mp.Array('i', 5);
    expect(a).toBeInstanceOf(SharedArray);
    expect(new mp.Array('d', [1.5]).toArray()).toEqual([1.5]);
    expect(mp.Array('i', [1], { lock: false })).toBeInstanceOf(mp.RawArray);
    expectTypeOf(a).toEqualTypeOf<SynchronizedArray<'i'>>();
    expect(mp.RawArray('i', 2).length).toBe(2);
    expect(mp.Value('i', 1).value).toBe(1);
    expect(mp.RawValue('d', 1.5).value).toBe(1.5);
  });

  it('is no named export (JavaScript keeps its own Array)', () => {
    expect(Object.hasOwn(umbrella, 'Array')).toBe(false);
    expect(Object.keys(mp)).toContain('Array');
  });
});

describe('the namespace sent as an argument', () => {
  it('is refused as the library itself, not at its first member (a function)', () => {
    for (const [value, path] of [
      [mp, 'args[0]'],
      [{ mp }, 'args[0].mp'],
    ] as const) {
      const send = () => encodeValue(value, 'thread', 'args[0]');
      expect(send).toThrow(SerializationError);
      expect(send).toThrow(`Cannot send ${path}: it is this library's namespace`);
      expect(send).toThrow(/Import the library in the task's module/);
    }
  });
});

describe("Python's spellings on the namespace", () => {
  const spellings: Record<string, string> = {
    cpu_count: 'cpuCount()',
    current_process: 'currentProcess()',
    parent_process: 'parentProcess()',
    active_children: 'activeChildren()',
    get_context: 'getContext()',
    get_start_method: 'getStartMethod()',
    get_all_start_methods: 'getAllStartMethods()',
    set_start_method: 'setStartMethod()',
  };

  it('throw ValidationError naming the camelCase member', () => {
    const ns = mp as unknown as Record<string, unknown>;
    for (const [python, ours] of Object.entries(spellings)) {
      expect(() => ns[python], python).toThrow(ValidationError);
      expect(() => ns[python], python).toThrow(ours);
    }
    expect(() => ns.freeze_support).toThrow(ValidationError);
    expect(() => ns.freeze_support).toThrow(/isMain\(\)/);
    expect(ns.not_a_python_name).toBeUndefined();
  });

  it("Python's submodules name where their names are (they read as undefined before)", () => {
    const ns = mp as unknown as Record<string, unknown>;
    const submodules: Record<string, RegExp> = {
      connection: /Listener, Client, wait/,
      pool: /Pool, AsyncResult/,
      managers: /Manager, SyncManager, BaseManager/,
      dummy: /getContext\('thread'\)/,
      shared_memory: /SharedArray/,
    };
    for (const [python, message] of Object.entries(submodules)) {
      expect(() => ns[python], python).toThrow(ValidationError);
      expect(() => ns[python], python).toThrow(message);
    }
  });

  it('are hidden: keys, spread, console.log and the context objects are as before', () => {
    const keys = Object.keys(mp);
    expect(keys.filter((k) => /^[a-z]+_/.test(k))).toEqual([]);
    const copy = { ...mp };
    expect(Object.keys(copy)).toEqual(keys);
    expect(inspect(mp)).not.toMatch(/cpu_count/);
    expect(() => inspect(mp, { showHidden: true, getters: false })).not.toThrow();
    expect(Object.isFrozen(mp)).toBe(true);
  });

  it('are on the context objects too, hidden there as well', () => {
    for (const ctx of [mp.getContext('thread'), mp.getContext('process')]) {
      const c = ctx as unknown as Record<string, unknown>;
      expect(() => c.cpu_count).toThrow(/cpuCount\(\)/);
      expect(() => c.get_start_method).toThrow(ValidationError);
      expect(Object.keys(ctx).filter((k) => /^[a-z]+_/.test(k))).toEqual([]);
    }
  });
});
