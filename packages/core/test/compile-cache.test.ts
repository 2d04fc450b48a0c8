// Node's compile cache in workers (issue #18): on Node 22.1 and later the host turns it on in each
// worker's environment, so the worker reads compiled code from its first module on (its entry and
// the multiproc packages, not only the task module). The worker takes the variables out as it
// starts: its tasks see the environment the program has.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, Process } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { ADDED_CACHE_ENV, withCompileCache } from '../src/worker/compile-cache.ts';
import { type CacheState, tasks } from './fixtures/compile-cache-tasks.mjs';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasCache = major > 22 || (major === 22 && minor >= 1);
const DIR = join(tmpdir(), 'node-compile-cache');

describe('withCompileCache', () => {
  it('adds the cache folder and its marker where Node has the cache, else gives the env back', () => {
    const env = { PATH: '/bin' };
    const out = withCompileCache(env);
    if (hasCache) expect(out).toEqual({ PATH: '/bin', NODE_COMPILE_CACHE: DIR, [ADDED_CACHE_ENV]: '1' });
    else expect(out).toBe(env);
    expect(env).toEqual({ PATH: '/bin' });
  });

  it("keeps the program's own NODE_COMPILE_CACHE or NODE_DISABLE_COMPILE_CACHE", () => {
    const own = { NODE_COMPILE_CACHE: '/elsewhere' };
    const off = { NODE_DISABLE_COMPILE_CACHE: '1' };
    expect(withCompileCache(own)).toBe(own);
    expect(withCompileCache(off)).toBe(off);
  });
});

/** What a worker whose program has neither variable set should see. */
function expectState(state: CacheState): void {
  expect(state.cache).toBe(process.env.NODE_COMPILE_CACHE ?? null);
  expect(state.marker).toBeNull();
  if (!hasCache || process.env.NODE_DISABLE_COMPILE_CACHE !== undefined) return;
  expect(state.dir?.startsWith(process.env.NODE_COMPILE_CACHE ?? DIR)).toBe(true);
}

describe.each(matrix(import.meta.url))('a %s worker', (context) => {
  it('of a Pool has the cache on and sees none of its variables', { timeout: 30_000 }, async () => {
    const pool = new Pool({ processes: 1, context });
    try {
      expectState(await pool.apply(tasks.cacheState, []));
    } finally {
      await pool.terminate();
    }
  });

  it('of a Process has the cache on and sees none of its variables', { timeout: 30_000 }, async () => {
    const [reader, writer] = Pipe(false);
    const p = new Process({ target: tasks.sendCacheState, args: [writer], context });
    p.start();
    writer.close();
    try {
      expectState((await reader.recv()) as CacheState);
      await p.join();
      expect(p.exitCode).toBe(0);
    } finally {
      reader.close();
    }
  });
});
