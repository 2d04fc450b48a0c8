// Once for every consumer test: pack the published packages the way a release does (`pnpm pack`),
// install the tarballs into one fresh npm project outside the repository, and find the Node
// versions to run on (this one, and 22 and 24 through `npx -p node@N` when they can be fetched).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { run, runOk } from './exec.ts';
import { PACKAGES, type Provided, REPO } from './project.ts';

const require = createRequire(import.meta.url);
const OTHER_NODE_LINES = [22, 24];

async function pack(into: string): Promise<void> {
  const pnpm = join(REPO, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  await Promise.all(
    PACKAGES.map(({ dir }) =>
      runOk(process.execPath, [pnpm, 'pack', '--pack-destination', into], {
        cwd: join(REPO, dir),
        env: process.env,
        timeoutMs: 120_000,
      }),
    ),
  );
}

async function install(app: string, tarballs: string[]): Promise<void> {
  await runOk('npm', ['init', '-y'], { cwd: app });
  const pinned = (name: string) => `${name}@${require(`${name}/package.json`).version}`;
  await runOk(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...tarballs,
      pinned('esbuild'),
      pinned('@types/node'),
    ],
    // Seconds on a quiet machine; minutes when the registry or the machine is slow.
    { cwd: app, timeoutMs: 600_000 },
  );
}

async function findNode(line: number): Promise<{ line: number; path?: string; reason?: string }> {
  const ran = await run('npx', ['-y', '-p', `node@${line}`, 'node', '-p', 'process.execPath'], {
    cwd: tmpdir(),
    timeoutMs: 150_000,
  });
  const path = ran.stdout.trim().split('\n').pop();
  if (ran.code === 0 && path) return { line, path };
  return { line, reason: `npx -p node@${line} failed (exit ${ran.code}): ${ran.stderr.trim().slice(-300)}` };
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'multiproc-consumer-'));
  const tarballDir = join(root, 'tarballs');
  const app = join(root, 'app');
  mkdirSync(tarballDir);
  mkdirSync(app);
  const nodes = Promise.all(OTHER_NODE_LINES.map(findNode));
  let tarballs: string[];
  try {
    await pack(tarballDir);
    tarballs = readdirSync(tarballDir).map((name) => join(tarballDir, name));
    await install(app, tarballs);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const others = await nodes;
  for (const other of others)
    if (other.reason) console.warn(`[consumer] skipping Node ${other.line}: ${other.reason}`);
  const provided: Provided = {
    root,
    app,
    tarballs,
    appPackageJson: readFileSync(join(app, 'package.json'), 'utf8'),
    nodes: [{ line: 0, label: `Node ${process.version} (CI)`, path: process.execPath }].concat(
      others.map((o) => ({
        line: o.line,
        label: `Node ${o.line}`,
        path: o.path ?? '',
        reason: o.reason ?? '',
      })),
    ),
  };
  project.provide('consumer', provided);
  return () => rmSync(root, { recursive: true, force: true });
}
