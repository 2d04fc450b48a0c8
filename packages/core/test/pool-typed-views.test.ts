// A small typed array or DataView a pool task receives, or a task returns, has a buffer of its own
// in both contexts (in the 'process' context V8's deserializer made it a window on the whole
// received message, so `arr.buffer` held other bytes).
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const views = (): [string, ArrayBufferView][] => [
  ['Uint8Array', new Uint8Array(16).fill(1)],
  ['Float64Array', new Float64Array([1, 2, 3])],
  ['DataView', new DataView(new ArrayBuffer(8))],
];

describe.each(matrix(import.meta.url))('typed arrays in the %s context', (context) => {
  const makePool = poolMaker();

  it('a small one received as an argument spans a buffer of its own', async () => {
    const pool = makePool({ processes: 1, context });
    for (const [name, view] of views()) {
      const n = view.byteLength;
      // With other values in the same message, which a window on it would show.
      expect(await pool.apply(tasks.viewLayout, [view, 'x'.repeat(100)])).toEqual([name, 0, n, n]);
    }
  }, 20_000);

  it('a small one returned by a task spans a buffer of its own', async () => {
    const pool = makePool({ processes: 1, context });
    const got = (await pool.apply(tasks.echo, [new Int32Array([7, 8])])) as Int32Array;
    expect([...got]).toEqual([7, 8]);
    expect([got.byteOffset, got.buffer.byteLength]).toEqual([0, 8]);
  }, 20_000);
});
