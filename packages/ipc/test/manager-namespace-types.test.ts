// A manager's Namespace takes a type parameter, as list<T>() and dict<K, V>() do: the proxy's names
// and values are typed for TypeScript (checked by the package's typecheck, not at run time). Without
// one it is as untyped as before: any name, any value, never inferred from `init`.
import { Manager, type NamespaceProxy } from '@multiproc/ipc';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';

const managers: Manager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
});

async function manager(): Promise<Manager> {
  const m = await Manager.start();
  managers.push(m);
  return m;
}

describe('manager.Namespace<T>()', () => {
  it('types the names and values of the proxy', async () => {
    const m = await manager();
    const ns = m.Namespace<{ count: number; label?: string }>({ count: 0 });
    expectTypeOf(ns).toEqualTypeOf<NamespaceProxy<{ count: number; label?: string }>>();
    expectTypeOf(ns.get('count')).resolves.toEqualTypeOf<number>();
    expectTypeOf(ns.get('label')).resolves.toEqualTypeOf<string | undefined>();
    expectTypeOf(ns.copy()).resolves.toEqualTypeOf<{ count: number; label?: string }>();
    await ns.set('count', (await ns.get('count')) + 1);
    // Compile errors only: never run.
    const wrong = () => {
      // @ts-expect-error: count holds a number
      void ns.set('count', 'two');
      // @ts-expect-error: no such name in the type
      void ns.get('cuont');
      // @ts-expect-error: a wrong init
      void m.Namespace<{ count: number }>({ count: 'zero' });
    };
    expect(typeof wrong).toBe('function');
    expect(await ns.copy()).toEqual({ count: 1 });
  });

  it('stays untyped by default, also with an init', async () => {
    const m = await manager();
    const ns = m.Namespace({ x: 1 });
    expectTypeOf(ns).toEqualTypeOf<NamespaceProxy>();
    expectTypeOf(ns.get('anything')).resolves.toEqualTypeOf<unknown>();
    await ns.set('y', 'two');
    expect(await ns.copy()).toEqual({ x: 1, y: 'two' });
    // A typed Namespace's proxy may start another.
    const copy = m.Namespace<{ x: number; y: string }>(ns);
    expect(await copy.get('y')).toBe('two');
  });
});
