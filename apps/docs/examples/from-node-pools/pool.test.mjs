// pool.test.mjs: a pool in a node:test file, ended by the suite's after() hook.
// run with `node --import tsx --test --test-reporter=dot pool.test.mjs` (tasks.ts is TypeScript:
// tsx loads it for the test and for the pool's workers; with a compiled tasks.js, plain `node --test`)
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Pool } from '@multiproc/multiproc';
// The tasks live in their own module: a worker refuses to import a test file.
import { tasks } from './tasks.js';

const pool = new Pool({ processes: 2 });
after(() => pool.terminate()); // piscina: pool.destroy()

test('checksum', async () => {
  assert.equal(await pool.apply(tasks.checksum, [new Uint8Array([1, 2, 3])]), 6);
});

test('map', async () => {
  assert.deepEqual(await pool.map(tasks.sleep, [3, 1, 2]), [3, 1, 2]);
});

// Output:
// ..
