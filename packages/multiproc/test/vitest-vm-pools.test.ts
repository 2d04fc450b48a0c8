// A user's test file run by vitest's vm pools (`--pool=vmThreads`, `vmForks`): vitest runs the
// packages' indexes inside a vm context, while Node's require() runs their first-use code in the
// main realm. Two faults followed. The first-use guard (MP_BUNDLE_ORDER, scripts/first-use-guard.js)
// read the index's loading count on the main realm's globalThis, where the index in the context had
// not written it: every first use failed with "multiproc cannot run in this bundle", naming
// Rollup. And on Node 20 and 22, `await using pool = new Pool()` threw "Object is not disposable":
// shared's disposableInEveryRealm() ran in the context, where Symbol.asyncDispose is undefined, and
// added no fallback key to classes made in the main realm. The getting-started page says these
// pools work; this runs the built packages there as a user's project would have them.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const here = createRequire(join(PACKAGES, 'multiproc', 'package.json'));

const TASKS = `import { defineTasks } from '@multiproc/multiproc';
export const tasks = defineTasks(import.meta.url, {
  square: (x) => x * x,
  fail: (message) => { throw new RangeError(message); },
});
`;
const TEST = `import { Pool } from '@multiproc/multiproc';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tasks } from './tasks.mjs';

let pool: Pool;
beforeAll(() => { pool = new Pool({ processes: 1 }); });
afterAll(() => pool.terminate());

test('a pool made in beforeAll', async () => {
  expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
  await expect(pool.apply(tasks.fail, ['too big'])).rejects.toThrow('too big');
  await expect(pool.apply(tasks.fail, ['too big'])).rejects.toThrow(RangeError);
});

test('await using', async () => {
  await using local = new Pool({ processes: 1 });
  expect(await local.apply(tasks.square, [4])).toBe(16);
});
`;

/** A project with the built packages in node_modules, a task module and a test file. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'mp-vitest-vm-'));
  made.push(root);
  const scope = join(root, 'node_modules', '@multiproc');
  for (const name of ['shared', 'ipc', 'core', 'multiproc']) {
    const from = join(PACKAGES, name);
    cpSync(join(from, 'dist'), join(scope, name, 'dist'), {
      recursive: true,
      filter: (src) => !/\.(map|ts)$/.test(src),
    });
    cpSync(join(from, 'package.json'), join(scope, name, 'package.json'));
  }
  const core = createRequire(join(PACKAGES, 'core', 'package.json'));
  const ipc = createRequire(join(PACKAGES, 'ipc', 'package.json'));
  for (const [dep, req] of [
    ['tinypool', core],
    ['zod', ipc],
    ['vitest', here],
  ] as const) {
    symlinkSync(dirname(req.resolve(`${dep}/package.json`)), join(root, 'node_modules', dep), 'dir');
  }
  mkdirSync(join(root, 'test'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(root, 'test', 'tasks.mjs'), TASKS);
  writeFileSync(join(root, 'test', 'pool.test.ts'), TEST);
  return root;
}

/** Runs vitest on the project with `pool`; resolves with its exit code and output. */
function vitest(root: string, pool: string): Promise<{ code: number; output: string }> {
  // The outer vitest's own variables would make the inner one think it is a worker of it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'),
  );
  const cli = join(dirname(here.resolve('vitest/package.json')), 'vitest.mjs');
  const args = [cli, 'run', `--pool=${pool}`, '--root', root, '--reporter=dot', '--no-color'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

const made: string[] = [];
afterAll(() => {
  for (const root of made) rmSync(root, { recursive: true, force: true });
});

describe("vitest's vm pools", () => {
  const pools = process.env.MULTIPROC_TESTS === 'full' ? ['vmThreads', 'vmForks'] : ['vmThreads'];
  for (const pool of pools) {
    it(`a test file's pool works under --pool=${pool}, await using too`, async () => {
      const { code, output } = await vitest(project(), pool);
      expect(output).not.toContain('MP_BUNDLE_ORDER');
      expect(output).not.toContain('cannot run in this bundle');
      expect(output).not.toContain('not disposable');
      expect(output).toMatch(/Tests\s+2 passed/);
      expect(code).toBe(0);
    }, 90_000);
  }
});
