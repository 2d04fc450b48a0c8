#!/usr/bin/env node
// Lint step of every published package: checks its types with attw on the tarball `pnpm pack`
// makes (what a release ships). `attw --pack` would run `npm pack`, which the prepack guard refuses.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const shell = process.platform === 'win32';
const dir = mkdtempSync(join(tmpdir(), 'multiproc-attw-'));
try {
  const pack = spawnSync('pnpm', ['pack', '--pack-destination', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    shell,
  });
  if (pack.status !== 0) process.exit(pack.status ?? 1);
  const [tarball] = readdirSync(dir).filter((name) => name.endsWith('.tgz'));
  const attw = spawnSync('attw', [join(dir, tarball), '--profile', 'esm-only', ...process.argv.slice(2)], {
    stdio: 'inherit',
    shell,
  });
  process.exitCode = attw.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
