// Once for every consumer test: pack the published packages the way a release does (`pnpm pack`),
// install the tarballs into one fresh npm project outside the repository, and find the Node
// versions to run on (this one, and 22 and 24 through `npx -p node@N` when they can be fetched).
import {
  chmodSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { run, runOk } from './exec.ts';
import { PACKAGES, type Provided, REPO } from './project.ts';

const require = createRequire(import.meta.url);
// Node 22 in `npm run test:full` only: CI checks the newest line beside its own (20).
const OTHER_NODE_LINES = process.env.MULTIPROC_TESTS === 'full' ? [22, 24] : [24];
// A first download of a Node takes tens of seconds; a cached one, a few.
const FETCH_NODE_TIMEOUT_MS = 150_000;

async function pack(into: string): Promise<void> {
  const pnpm = join(REPO, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  // One recursive pnpm run packs them all (a few seconds less than one pnpm per package).
  const filters = PACKAGES.flatMap(({ dir }) => ['--filter', `./${dir}`]);
  await runOk(process.execPath, [pnpm, '--recursive', ...filters, 'pack', '--pack-destination', into], {
    cwd: REPO,
    env: process.env,
    timeoutMs: 120_000,
  });
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
      pinned('typescript'),
      pinned('webpack'),
      pinned('webpack-cli'),
    ],
    // Seconds on a quiet machine; minutes when the registry or the machine is slow.
    { cwd: app, timeoutMs: 600_000 },
  );
}

/**
 * Fetches Node `line` with `npx -p node@<line>` (a user's way to try another Node) and links its
 * binary into this run's folder, so every case of the run uses that one download, and a later
 * `npx -p node@…` of another program on the machine cannot swap it mid-run. Resolves with the
 * reason instead when the machine cannot fetch it.
 */
async function fetchNode(
  line: number,
  root: string,
): Promise<{ path?: string; version?: string; reason?: string }> {
  const print = 'process.version + " " + process.execPath';
  const ran = await run('npx', ['-y', '-p', `node@${line}`, 'node', '-p', print], {
    cwd: tmpdir(),
    timeoutMs: FETCH_NODE_TIMEOUT_MS,
  });
  const [version, fetched] = ran.stdout.trim().split('\n').pop()?.split(' ') ?? [];
  if (ran.code !== 0 || !fetched) {
    const errors = ran.stderr.split('\n').filter((l) => /^npm error|killed/.test(l));
    const said = (errors.length > 0 ? errors.slice(0, 3).join(' / ') : ran.stderr.trim()).slice(0, 300);
    return { reason: `npx -p node@${line} failed (exit ${ran.code}): ${said}` };
  }
  const path = join(root, `node-${line}`, 'bin', 'node');
  mkdirSync(dirname(path), { recursive: true });
  try {
    linkSync(fetched, path);
  } catch {
    copyFileSync(fetched, path);
    chmodSync(path, 0o755);
  }
  return { path, version };
}

/**
 * Installs tsx into npx's cache once, before the cases run `npx tsx` side by side, as a user's
 * first `npx tsx` does; the cases then find it there (npx still asks the registry for its latest).
 */
async function warmNpxTsx(): Promise<void> {
  // A failure here shows again, with its output, in the cases that run `npx tsx`.
  await run('npx', ['--yes', 'tsx', '--version'], { cwd: tmpdir(), timeoutMs: 300_000 });
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'multiproc-consumer-'));
  const tarballDir = join(root, 'tarballs');
  const app = join(root, 'app');
  mkdirSync(tarballDir);
  mkdirSync(app);
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const steps: string[] = [];
  // The downloads overlap the packing and installing; none of them waits for another.
  const nodes = Promise.all(OTHER_NODE_LINES.map((line) => fetchNode(line, root))).finally(() =>
    steps.push(`Node ${OTHER_NODE_LINES.join(' and ')} fetched ${seconds()}`),
  );
  const tsx = warmNpxTsx();
  let tarballs: string[];
  try {
    await pack(tarballDir);
    steps.push(`packed ${seconds()}`);
    tarballs = readdirSync(tarballDir).map((name) => join(tarballDir, name));
    await install(app, tarballs);
    steps.push(`installed ${seconds()}`);
    await tsx;
    steps.push(`tsx in npx's cache ${seconds()}`);
  } catch (err) {
    await Promise.all([nodes, tsx]);
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const others = await nodes;
  const npmGlobalConfig = (
    await runOk('npm', ['config', 'get', 'globalconfig'], { cwd: tmpdir() })
  ).stdout.trim();
  console.log(`[consumer] set up in ${seconds()}: ${steps.join(', ')}`);
  const provided: Provided = {
    root,
    app,
    tarballs,
    appPackageJson: readFileSync(join(app, 'package.json'), 'utf8'),
    npmGlobalConfig,
    nodes: [{ line: 0, label: `Node ${process.version} (CI)`, path: process.execPath }].concat(
      others.map((other, i) => ({
        line: OTHER_NODE_LINES[i]!,
        label: `Node ${other.version ?? OTHER_NODE_LINES[i]}`,
        path: other.path ?? '',
        reason: other.reason ?? '',
      })),
    ),
  };
  project.provide('consumer', provided);
  return () => rmSync(root, { recursive: true, force: true });
}
