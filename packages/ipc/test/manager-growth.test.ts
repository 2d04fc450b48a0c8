// A long-lived Manager serves objects without bound: once no proxy of an object is left, nothing of
// it may stay, on the manager's side (which connections wrote it, writers.ts) nor on the client's
// (its pipelining state, client-pipeline.ts). Soak: ~300 B per object ever served stayed, in Maps
// keyed by object id. Measured in a program of its own, run with --expose-gc.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/manager-growth.mjs', import.meta.url));

it('keeps nothing of the objects whose proxies were dropped', { timeout: 90_000 }, async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', PROGRAM, '6000'],
      { timeout: 80_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const { perStep } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { perStep: number };
  // Before the fix: ~660 B per step (a dict and a list); after it, ~130 B (V8's own caches).
  expect(perStep).toBeLessThan(350);
});
