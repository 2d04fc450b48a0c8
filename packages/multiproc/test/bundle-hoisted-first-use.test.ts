// A bundler that turns each package index's lazy require() of its first-use code into an import
// (Rollup with @rollup/plugin-commonjs `transformMixedEsModules: true`, the bundling guide's old
// Rollup config) runs that code before the index it needs: the program died at import with
// "TypeError: Cannot read properties of undefined (reading 'add')" from inside shared's code.
// Rollup is no dependency of the repository, so this test makes that order itself: a copy of the
// built packages whose indexes import their first-use file statically, exactly as the plugin
// rewrites them, and checks that the import fails with an error that names the cause and the fix.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const WITH_FIRST_USE = ['shared', 'ipc', 'core'];
const LAZY_REQUIRE = 'require("./lazy/first-use.js")';
// ipc's second first-use file, loaded apart (Listener, Client, managers: multiprocBuild.loadApartOnFirstUse).
const NET_REQUIRE = 'require("./lazy/first-use-net.js")';

const program = `
try {
  const mp = await import('@multiproc/multiproc');
  const lock = new mp.Lock();
  const value = new mp.Value('i', 41);
  value.value += 1;
  const queue = new mp.Queue();
  await queue.put(await lock.acquire());
  console.log(JSON.stringify({ ok: [await queue.get(), value.value] }));
  queue.close();
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
}
`;

/**
 * A folder with node_modules/@multiproc/* copied from the built packages, hoisted or not: every
 * lazy require() an import (`true`), or only ipc's of its file loaded apart (`'net'`).
 */
function copyPackages(hoisted: boolean | 'net'): string {
  const root = mkdtempSync(join(tmpdir(), 'mp-hoisted-'));
  made.push(root);
  const scope = join(root, 'node_modules', '@multiproc');
  for (const name of [...WITH_FIRST_USE, 'multiproc']) {
    const from = join(PACKAGES, name);
    cpSync(join(from, 'dist'), join(scope, name, 'dist'), {
      recursive: true,
      filter: (src) => !/\.(map|ts)$/.test(src),
    });
    cpSync(join(from, 'package.json'), join(scope, name, 'package.json'));
    if (hoisted !== false && WITH_FIRST_USE.includes(name) && (hoisted === true || name === 'ipc')) {
      const index = join(scope, name, 'dist', 'index.js');
      const text = readFileSync(index, 'utf8');
      // The build's shape this test stands for: if it changes, the test must change with it.
      expect(text, `${name}/dist/index.js`).toContain(LAZY_REQUIRE);
      if (name === 'ipc') expect(text, 'ipc/dist/index.js').toContain(NET_REQUIRE);
      let hoistedText = name === 'ipc' ? text.replaceAll(NET_REQUIRE, 'hoistedNet') : text;
      if (name === 'ipc')
        hoistedText = `import * as hoistedNet from "./lazy/first-use-net.js";\n${hoistedText}`;
      if (hoisted === true) {
        hoistedText = `import * as hoistedFirstUse from "./lazy/first-use.js";\n${hoistedText.replaceAll(LAZY_REQUIRE, 'hoistedFirstUse')}`;
      }
      writeFileSync(index, hoistedText);
    }
  }
  // What the packages import besides one another, from the repository's install.
  const core = createRequire(join(PACKAGES, 'core', 'package.json'));
  const ipc = createRequire(join(PACKAGES, 'ipc', 'package.json'));
  for (const [dep, req] of [
    ['tinypool', core],
    ['zod', ipc],
  ] as const) {
    symlinkSync(dirname(req.resolve(`${dep}/package.json`)), join(root, 'node_modules', dep), 'dir');
  }
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(root, 'main.js'), program);
  return root;
}

function run(root: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['main.js'], { cwd: root, timeout: 20_000 }, (err, out, stderr) =>
      err ? reject(Object.assign(err, { stderr })) : resolve(JSON.parse(out)),
    );
  });
}

const made: string[] = [];
afterAll(() => {
  for (const root of made) rmSync(root, { recursive: true, force: true });
});

describe('a bundle that runs the first-use code before the index', () => {
  it('a copy of the built packages runs as built (the copy is sound)', async () => {
    expect(await run(copyPackages(false))).toEqual({ ok: [true, 42] });
  }, 30_000);

  it.each([
    ['every first-use file', true],
    ["ipc's file loaded apart (Listener, Client, managers) alone", 'net'],
  ] as const)(
    'hoisting %s fails at import with MP_BUNDLE_ORDER naming the bundler setting and the fixes, not a TypeError from inside',
    async (_what, hoisted) => {
      const got = await run(copyPackages(hoisted));
      expect(got).toMatchObject({ name: 'Error', code: 'MP_BUNDLE_ORDER' });
      const message = String(got.message);
      expect(message).toContain('transformMixedEsModules');
      expect(message).toContain('external');
      expect(message).toContain('bundling.md');
    },
    30_000,
  );
});
