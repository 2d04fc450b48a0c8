// A public class's `name` is the name it is exported under, in the built files users get (Python:
// `type(conn).__name__ == 'Connection'`). esbuild renames a class that names itself in its own body
// (`var Connection = class _Connection`), and with it what `console.log()` and `constructor.name`
// show: a Connection printed as `_Connection {}` and a manager as `_SyncManager {}`.
import { inspect } from 'node:util';
import * as ipc from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

describe('class names in the built package', () => {
  it("every exported class's name is its exported name", () => {
    const renamed = Object.entries(ipc)
      .filter(([name, value]) => /^[A-Z]/.test(name) && typeof value === 'function')
      .filter(([name, value]) => (value as { name: string }).name !== name)
      .map(([name, value]) => `${name} is named ${(value as { name: string }).name}`);
    expect(renamed).toEqual([]);
  });

  it('a Connection and a SyncManager print under their own names', async () => {
    const [a, b] = ipc.Pipe();
    try {
      expect(a.constructor.name).toBe('Connection');
      expect(inspect(a)).toMatch(/^Connection /);
    } finally {
      a.close();
      b.close();
    }
    const started = await ipc.SyncManager.start();
    const made = ipc.Manager();
    try {
      for (const m of [started, made]) {
        expect(m.constructor.name).toBe('SyncManager');
        expect(inspect(m)).toMatch(/^SyncManager /);
      }
    } finally {
      await started.shutdown();
      await made.shutdown();
    }
  });

  it('SyncManager.start() of a subclass starts that subclass', async () => {
    class MyManager extends ipc.SyncManager {}
    const m = await MyManager.start();
    try {
      expect(m).toBeInstanceOf(MyManager);
    } finally {
      await m.shutdown();
    }
  });
});
