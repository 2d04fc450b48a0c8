// `using` / `await using` compiled by esbuild, TypeScript or Babel and run in a `vm` context (vitest's
// vmThreads and vmForks pools) looks the dispose members up under `Symbol.for('Symbol.dispose')` /
// `Symbol.for('Symbol.asyncDispose')` on Node 20 and 22, whose `Symbol.dispose` exists in the main
// realm only: every disposable class answers there too (it threw "Object is not disposable").
import vm from 'node:vm';
import { Pool } from '@multiproc/core';
import { BaseManager, Connection, Listener, Pipe, Queue, SimpleQueue } from '@multiproc/ipc';
import { ByteChannel } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/tasks.ts';

// What esbuild's `__using` helper does in a realm without the symbols.
const IN_A_VM = `(async () => {
  const asyncKey = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');
  const syncKey = Symbol.dispose ?? Symbol.for('Symbol.dispose');
  if (typeof pool[asyncKey] !== 'function') throw new TypeError('Object is not disposable.');
  if (typeof queue[syncKey] !== 'function') throw new TypeError('Object is not disposable.');
  await pool[asyncKey]();
  queue[syncKey]();
})()`;

describe('disposable in a vm context', () => {
  it('await using of a Pool and using of a Queue work where the realm has no Symbol.asyncDispose', async () => {
    const pool = new Pool({ processes: 1 });
    const queue = new Queue<number>();
    await vm.runInNewContext(IN_A_VM, { pool, queue });
    await expect(pool.apply(tasks.noop, [])).rejects.toThrow(/terminated|closed/i);
    await expect(queue.get()).rejects.toThrow(/closed/i);
  });

  it('every disposable class answers under the fallback keys with its own member', () => {
    const classes = [Pool, Queue, SimpleQueue, Connection, Listener, BaseManager, ByteChannel];
    for (const cls of classes) {
      const proto = cls.prototype as unknown as Record<symbol, unknown>;
      const own = proto[Symbol.asyncDispose] ?? proto[Symbol.dispose];
      expect(own, cls.name).toBeTypeOf('function');
      const fallback = proto[Symbol.for('Symbol.asyncDispose')] ?? proto[Symbol.for('Symbol.dispose')];
      expect(fallback, cls.name).toBe(own);
    }
    const [a, b] = Pipe();
    expect(a[Symbol.for('Symbol.dispose') as typeof Symbol.dispose]).toBe(a[Symbol.dispose]);
    a.close();
    b.close();
  });
});
