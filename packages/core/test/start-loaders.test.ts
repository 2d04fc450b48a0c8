// A TypeScript task module under a loader other than tsx (`node --loader ts-node/esm`): workers
// import it through that loader, not by demanding tsx. The program runs from a copy of the built
// packages outside the repository, where no tsx can be found, as in a project without it.
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { runNodeInGroup } from './group.ts';
import { fixture } from './helpers.ts';

const PACKAGES = join(import.meta.dirname, '..', '..');
const project = mkdtempSync(join(tmpdir(), 'mp-loader-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function installOutside(): void {
  writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
  for (const pkg of ['core', 'ipc', 'shared']) {
    const to = join(project, 'node_modules', '@multiproc', pkg);
    mkdirSync(to, { recursive: true });
    for (const part of ['package.json', 'dist'])
      cpSync(join(PACKAGES, pkg, part), join(to, part), { recursive: true });
  }
  for (const dep of ['tinypool', 'zod'])
    symlinkSync(
      realpathSync(join(PACKAGES, 'core', 'node_modules', dep)),
      join(project, 'node_modules', dep),
    );
  for (const file of ['ts-hooks.mjs', 'hooked.ts', 'hooked-main.mjs'])
    cpSync(fixture(`start-args/${file}`), join(project, file));
}
installOutside();

describe.concurrent.each(matrix(import.meta.url))('a .ts task module in %s context', (context) => {
  it("loads through the program's own loader when tsx is not installed", async ({
    expect,
    onTestFinished,
  }) => {
    const args = ['--no-warnings', '--experimental-loader', './ts-hooks.mjs', 'hooked-main.mjs', context];
    const run = runNodeInGroup(args, 40, onTestFinished, 'loader', { cwd: project });
    const { stdout, stderr, code } = await run.done;
    expect(stdout, stderr).toBe('loaded by hook\n');
    expect(code).toBe(0);
  }, 50_000);
});
