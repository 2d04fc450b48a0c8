// The packed packages in a fresh npm project, on this Node and on Node 24 (and 22 in the full tier):
// an ES module program with a task module, the root README's example as written (through `npx tsx`),
// a CommonJS caller, and the bundled app the bundling guide builds.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { envFor, run, runOk } from './exec.ts';
import { consumer, FIXTURES, REPO, readmeExample, scratch, userStderr, withFixtures } from './project.ts';

const BOTH_CONTEXTS = 'thread [1,4,9]\nhello thread\nprocess [1,4,9]\nhello process\n';
const { nodes, npmGlobalConfig: npmrc } = consumer();

// A Node the machine could not fetch is skipped, its reason printed and in the skipped test's name.
for (const { label, reason } of nodes.filter((n) => !n.path)) {
  console.warn(`[consumer] ${label} skipped: ${reason}`);
  it.skip(`${label}: not fetched (${reason})`, () => {});
}

// Built once, on the CI Node, following the bundling guide; run on every Node from a folder
// outside the project, where no node_modules can help it.
let bundled = '';
beforeAll(async () => {
  const guide = join(REPO, 'apps/docs/examples/bundling');
  const dir = mkdtempSync(join(consumer().app, 'bundle-'));
  cpSync(join(guide, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(guide, 'esbuild.build.mjs'), join(dir, 'esbuild.build.mjs'));
  await runOk(process.execPath, ['esbuild.build.mjs'], { cwd: dir, timeoutMs: 120_000 });
  bundled = mkdtempSync(join(consumer().root, 'bundled-'));
  cpSync(join(dir, 'dist'), join(bundled, 'dist'), { recursive: true });
}, 180_000);

// The cases of every Node line run side by side: each is a few programs that mostly wait on their
// workers and on npx, and each has its own folder.
describe.concurrent.each(nodes.filter((n) => n.path))('$label', ({ path: node }) => {
  it('runs an ES module program with a task module, in both contexts', async () => {
    const dir = withFixtures('tasks.mjs', 'main.mjs');
    const ran = await run(node, ['main.mjs'], { cwd: dir, env: envFor(node, npmrc) });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe(BOTH_CONTEXTS);
  });

  it('runs a CommonJS caller that require()s the package and names its tasks by __filename', async () => {
    const dir = withFixtures('main.cjs');
    const ran = await run(node, ['main.cjs'], { cwd: dir, env: envFor(node, npmrc) });
    expect(userStderr(ran.stderr)).toBe('');
    expect(ran.stdout).toBe(BOTH_CONTEXTS);
  });

  it("runs the root README's example exactly as written, with npx tsx (tsx only in npx's cache)", async () => {
    const example = readmeExample(join(REPO, 'README.md'));
    const dir = scratch({ [example.file]: example.code });
    const [command, ...args] = example.run;
    expect(command).toBe('npx');
    const ran = await run('npx', ['--yes', ...args], {
      cwd: dir,
      env: envFor(node, npmrc),
      timeoutMs: 100_000,
    });
    expect(userStderr(ran.stderr)).toBe('');
    expect(ran.stdout.trim().split('\n')).toEqual(example.expected);
  });

  it('runs a TypeScript program under npx tsx with one copy of the package (instanceof holds)', async () => {
    const dir = withFixtures('identity.mts');
    const ran = await run('npx', ['--yes', 'tsx', 'identity.mts'], {
      cwd: dir,
      env: envFor(node, npmrc),
      timeoutMs: 100_000,
    });
    expect(userStderr(ran.stderr)).toBe('');
    expect(ran.stdout).toBe('thread exit 0\nValidationError true\nTimeoutError true\nClosedError true\n');
  });

  it('says to install tsx for a TypeScript task module with import syntax in a CommonJS package (ts-jest)', async () => {
    // Node 22.18+ and 24 strip the types but run the file as CommonJS, where its `import` fails;
    // Node 20 cannot run it at all. tsx compiles it in the workers on every Node.
    const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
    const dir = scratch({
      'package.json': JSON.stringify({ name: 'runner', type: 'commonjs' }),
      'runner-tasks.ts': read('runner-tasks.ts'),
      'runner-main.mjs': read('runner-main.mjs'),
    });
    const ran = await run(node, ['--no-warnings', 'runner-main.mjs'], { cwd: dir, env: envFor(node, npmrc) });
    expect(ran.stdout, ran.stderr).toBe('thread ProcessError true\nprocess ProcessError true\n');
  });

  it('runs the bundled app from a folder without node_modules', async () => {
    expect(readdirSync(join(bundled, 'dist'))).toContain('multiproc-pool-worker.js');
    const ran = await run(node, [join(bundled, 'dist', 'app.js')], {
      cwd: bundled,
      env: envFor(node, npmrc),
    });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe(BOTH_CONTEXTS);
  });
});

// The webpack build takes a minute of CPU beside every other suite on CI's 2 cores: its runs are in
// `npm run test:full` (the esbuild one above runs in CI).
describe.runIf(process.env.MULTIPROC_TESTS === 'full')('the webpack guide', () => {
  // The same app built as the guide's webpack section says (tsc, then webpack), on the CI Node.
  let webpacked = '';
  beforeAll(async () => {
    const guide = join(REPO, 'apps/docs/examples/bundling');
    const dir = mkdtempSync(join(consumer().app, 'webpack-'));
    cpSync(join(guide, 'src'), join(dir, 'src'), { recursive: true });
    for (const file of ['tsconfig.json', 'webpack.config.mjs']) cpSync(join(guide, file), join(dir, file));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const bin = (path: string) => join(consumer().app, 'node_modules', path);
    await runOk(process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    await runOk(process.execPath, [bin('webpack-cli/bin/cli.js')], { cwd: dir, timeoutMs: 240_000 });
    webpacked = mkdtempSync(join(consumer().root, 'webpacked-'));
    cpSync(join(dir, 'dist'), join(webpacked, 'dist'), { recursive: true });
    writeFileSync(join(webpacked, 'dist', 'package.json'), '{ "type": "module" }\n');
  }, 300_000);

  describe.concurrent.each(nodes.filter((n) => n.path))('$label', ({ path: node }) => {
    it("runs the webpack guide's app from a folder without node_modules", async () => {
      const ran = await run(node, [join(webpacked, 'dist', 'app.js')], {
        cwd: webpacked,
        env: envFor(node, npmrc),
      });
      expect(ran.stderr).toBe('');
      expect(ran.stdout).toBe(BOTH_CONTEXTS);
    });
  });
});

describe('the bundling guide', () => {
  it.each(['esbuild.build.mjs', 'webpack.config.mjs'])('shows %s as the example file has it', (file) => {
    const guide = readFileSync(join(REPO, 'apps/docs/guide/bundling.md'), 'utf8');
    const body = readFileSync(join(REPO, 'apps/docs/examples/bundling', file), 'utf8')
      .split('\n')
      .slice(1);
    expect(guide).toContain(`// ${file}\n${body.join('\n')}`);
  });
});

describe.concurrent('a bundle that lacks the worker entries', () => {
  it('fails with WorkerEntryNotFoundError naming the missing file, not a worker crash', async () => {
    const broken = mkdtempSync(join(consumer().root, 'broken-bundle-'));
    cpSync(join(bundled, 'dist', 'app.js'), join(broken, 'app.js'));
    for (const chunk of readdirSync(join(bundled, 'dist')).filter((f) => f.startsWith('chunk-'))) {
      cpSync(join(bundled, 'dist', chunk), join(broken, chunk));
    }
    writeFileSync(join(broken, 'package.json'), '{ "type": "module" }\n');
    const ran = await run(process.execPath, ['app.js'], { cwd: broken });
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain('WorkerEntryNotFoundError');
    expect(ran.stderr).toContain(join(broken, 'multiproc-pool-worker.js'));
    expect(ran.stderr).not.toContain('WorkerCrashedError');
  });

  it("fails with WorkerEntryNotFoundError naming tinypool's path when its chunk sits in another folder than entry/", async () => {
    // Vite's default layout: chunks in assets/, entries at the top, so tinypool (in a chunk) looks
    // for assets/entry/worker.js while the bundle emitted entry/worker.js.
    const guide = join(REPO, 'apps/docs/examples/bundling');
    const dir = mkdtempSync(join(consumer().app, 'bundle-assets-'));
    cpSync(join(guide, 'src'), join(dir, 'src'), { recursive: true });
    const script = readFileSync(join(guide, 'esbuild.build.mjs'), 'utf8').replace(
      "outdir: 'dist',",
      "outdir: 'dist', chunkNames: 'assets/[name]-[hash]',",
    );
    expect(script).toContain('chunkNames');
    writeFileSync(join(dir, 'build.mjs'), script);
    await runOk(process.execPath, ['build.mjs'], { cwd: dir, timeoutMs: 120_000 });
    const laid = mkdtempSync(join(consumer().root, 'assets-bundle-'));
    cpSync(join(dir, 'dist'), laid, { recursive: true });
    const ran = await run(process.execPath, ['app.js'], { cwd: laid });
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain('WorkerEntryNotFoundError');
    expect(ran.stderr).toContain(join(laid, 'assets', 'entry', 'worker.js'));
    expect(ran.stderr).not.toContain('WorkerStartError');
  });
});

describe.concurrent('an esbuild bundle with and without splitting', () => {
  // Without splitting a worker holds two copies of multiproc (its entry's, which decodes the
  // arguments, and the one in the task's bundle): the guide says what that changes.
  it.each([
    [true, 'error instanceof true, code MP_QUEUE_EMPTY, Value instanceof true'],
    [false, 'error instanceof false, code MP_QUEUE_EMPTY, Value instanceof false'],
  ])('splitting: %s gives what the bundling guide says', async (splitting, expected) => {
    const guide = join(REPO, 'apps/docs/examples/bundling');
    const dir = withFixtures('unsplit.ts');
    const script = readFileSync(join(guide, 'esbuild.build.mjs'), 'utf8')
      .replace("app: 'src/app.ts'", "app: 'unsplit.ts'")
      .replace('splitting: true', `splitting: ${splitting}`);
    expect(script).toContain("app: 'unsplit.ts'");
    writeFileSync(join(dir, 'build.mjs'), script);
    await runOk(process.execPath, ['build.mjs'], { cwd: dir, timeoutMs: 120_000 });
    const out = mkdtempSync(join(consumer().root, 'split-bundle-'));
    cpSync(join(dir, 'dist'), out, { recursive: true });
    const ran = await run(process.execPath, ['app.js'], { cwd: out });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe(`${expected}\n`);
    const page = readFileSync(join(REPO, 'apps/docs/guide/bundling.md'), 'utf8').replace(/\s+/g, ' ');
    expect(page).toContain('`instanceof` against the classes your code imports is `false` there');
    expect(page).not.toContain('which also works, at the cost of size');
  });
});

describe.concurrent('a CommonJS bundle', () => {
  it('runs Process in both contexts, and Pool refuses with a ContextError that says to bundle as ES modules', async () => {
    const dir = withFixtures('cjs-bundle.cjs', 'cjs-bundle.build.mjs');
    await runOk(process.execPath, ['cjs-bundle.build.mjs'], { cwd: dir, timeoutMs: 120_000 });
    const out = mkdtempSync(join(consumer().root, 'cjs-bundled-'));
    cpSync(join(dir, 'dist'), out, { recursive: true });
    const ran = await run(process.execPath, ['app.js'], { cwd: out });
    expect(ran.stderr).not.toContain('Invalid URL');
    expect(ran.stdout).toBe(
      'hello thread\nhello process\nContextError: Pool cannot start in CommonJS bundle output\noffers external: true\n',
    );
  });
});
