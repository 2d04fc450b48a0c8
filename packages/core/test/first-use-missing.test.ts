// A bundler (Rollup without transformMixedEsModules) or a file tracer (@vercel/nft) that leaves out
// the files the first use loads from dist/lazy/: the first use names them in a ContextError that
// points to the bundling guide, never a raw MODULE_NOT_FOUND. The package is copied without them
// into a folder of its own, from which its dependencies still resolve through this package's.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'test', 'fixtures', `.first-use-missing-${process.pid}`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { timeout: 20_000 }, (_err, stdout, stderr) =>
      resolve({ stdout, stderr }),
    );
  });
}

it('a first use whose dist/lazy files are missing throws ContextError naming them and the bundling guide', {
  timeout: 30_000,
}, async ({ expect }) => {
  const copy = join(dir, 'node_modules', '@multiproc', 'core');
  mkdirSync(copy, { recursive: true });
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  cpSync(join(root, 'dist'), join(copy, 'dist'), {
    recursive: true,
    // The first-use files and the hubs' functions (a Process's first use runs the hub's alone).
    filter: (src) => !/first-use\.(esm|js|cjs)$|(hub|pool)\.cjs$/.test(src),
  });
  // A package of its own, or the import would resolve to this package by its own name.
  writeFileSync(join(dir, 'package.json'), '{ "name": "first-use-missing", "type": "module" }\n');
  const program = join(dir, 'missing.mjs');
  writeFileSync(
    program,
    `import * as core from '@multiproc/core';
const seen = [];
for (const use of [() => new core.Pool({ processes: 1 }), () => core.activeChildren()]) {
  try { use(); seen.push('no error'); } catch (error) {
    seen.push({ contextError: error instanceof core.ContextError, code: error.code,
      namesFiles: /lazy[\\\\/]first-use\\.esm/.test(error.message) && /lazy[\\\\/]first-use\\.js/.test(error.message),
      namesGuide: error.message.includes('bundling') });
  }
}
console.log(JSON.stringify(seen));
`,
  );
  const { stdout, stderr } = await run(program);
  expect(stderr).toBe('');
  const named = { contextError: true, code: 'MP_CONTEXT', namesFiles: true, namesGuide: true };
  expect(JSON.parse(stdout)).toEqual([named, named]);
});
