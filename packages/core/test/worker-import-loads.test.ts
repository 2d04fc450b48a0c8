// Start-up cost (issue #18), guarded by what is loaded, never by timings: importing the package in a
// fresh worker thread (what every thread Process and pool worker does first) loads none of Node's
// modules that its first use does not need. Session 55's check of a pending result's asker read
// `import.meta.url` and `node:url` at import, which loaded `node:url` and import.meta's initializer
// into every worker (node:url's first load in a worker is ~0.3 ms); they load on first use now.
// (startup.test.ts checks a whole program's workers in the full tier; this one is cheap, for CI.)
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** What a fresh worker's `import('@multiproc/core')` loaded of Node's own modules. */
async function loadedByImport(): Promise<string[]> {
  const worker = new Worker(new URL('./fixtures/worker-import-loads.mjs', import.meta.url), { execArgv: [] });
  try {
    const [loaded] = (await once(worker, 'message')) as [string[]];
    return loaded;
  } finally {
    await worker.terminate();
  }
}

describe('a worker thread importing the package', () => {
  it('loads neither node:url nor the import.meta initializer', async () => {
    const loaded = await loadedByImport();
    expect(loaded).not.toContain('NativeModule url');
    expect(loaded).not.toContain('NativeModule internal/modules/esm/initialize_import_meta');
  }, 30_000);
});
