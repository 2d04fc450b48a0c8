// Python's NamespaceProxy keeps an attribute whose name starts with '_' on the proxy object itself
// (`__getattr__`, `__setattr__` and `__delattr__` call object's own for `key[0] == '_'`): it never
// reaches the manager, so another proxy of the same Namespace does not see it. Ours sent them to
// the manager.
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const kit = managerTestKit();

describe("a Namespace proxy's '_' names", () => {
  it('stay on the proxy object, as in Python; other names reach the manager', async () => {
    const manager = await kit.manager();
    const ns = manager.Namespace({ x: 1 });
    await ns.set('_mine', 'local');
    await ns.set('y', 2);
    expect(await ns.get('_mine')).toBe('local');
    expect(await ns.copy()).toEqual({ x: 1, y: 2 });
    // A second proxy of the same Namespace (Python: one made from the same token) sees the
    // manager's names only.
    const other = (await manager.dict({ ns })).get('ns') as Promise<typeof ns>;
    const again = await other;
    expect(await again.get('y')).toBe(2);
    expect(await again.get('_mine')).toBeUndefined();
    await again.set('_mine', 'theirs');
    expect(await ns.get('_mine')).toBe('local');
    expect(await ns.delete('_mine')).toBe(true);
    expect(await ns.delete('_mine')).toBe(false);
    expect(await ns.get('_mine')).toBeUndefined();
    expect(await again.get('_mine')).toBe('theirs');
    expect(await ns.copy()).toEqual({ x: 1, y: 2 });
  });
});
