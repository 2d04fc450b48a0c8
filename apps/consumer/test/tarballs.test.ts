// The tarballs a release publishes: each carries the license, declares real version ranges (no
// workspace: protocol), and npm cannot pack one (it would keep workspace:^).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, run } from './exec.ts';
import { consumer, PACKAGES, REPO } from './project.ts';

const tarballOf = (name: string) => {
  const file = `${name.replace('@', '').replace('/', '-')}-`;
  const found = consumer().tarballs.find((t) => t.split(/[\\/]/).pop()!.startsWith(file));
  if (!found) throw new Error(`no tarball for ${name}`);
  return found;
};
const read = (tarball: string, path: string) =>
  execFileSync('tar', ['-xzOf', tarball, `package/${path}`], { encoding: 'utf8' });

describe.each(PACKAGES)('$name tarball', ({ name, dir }) => {
  it('ships the MIT LICENSE of the repository', () => {
    expect(read(tarballOf(name), 'LICENSE')).toBe(readFileSync(join(REPO, 'LICENSE'), 'utf8'));
  });

  it('has real version ranges, metadata and the supported Node range', () => {
    const pkg = JSON.parse(read(tarballOf(name), 'package.json'));
    expect(JSON.stringify(pkg)).not.toContain('workspace:');
    expect(pkg.name).toBe(name);
    expect(pkg.license).toBe('MIT');
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toMatch(/^https:\/\//);
    expect(pkg.repository.directory).toBe(dir);
  });

  it('maps every subpath entry in typesVersions, for projects that resolve without exports', () => {
    // `"module": "commonjs"` resolves as node10, which reads no `exports`: there a subpath (one the
    // user imports, or one a declaration imports, as the umbrella's does core's) needs this map.
    const pkg = JSON.parse(read(tarballOf(name), 'package.json'));
    const subpaths = Object.entries<{ types?: string }>(pkg.exports).flatMap(([key, entry]) =>
      key === '.' || typeof entry !== 'object' || !entry.types ? [] : [[key.slice(2), [entry.types]]],
    );
    expect(pkg.typesVersions?.['*'] ?? {}).toEqual(Object.fromEntries(subpaths));
  });

  it('refuses npm pack and npm publish (prepack guard)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8'));
    expect(pkg.scripts.prepack).toBe('node ../../scripts/pack-guard.mjs');
  });
});

describe('the prepack guard', () => {
  it('makes npm pack fail, since it would keep workspace:^', async () => {
    const ran = await run('npm', ['pack', '--dry-run'], {
      cwd: join(REPO, 'packages/core'),
      env: cleanEnv(),
    });
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain('pnpm pack');
  });
});

describe('@multiproc/core tarball', () => {
  it('declares tsx as an optional peer', () => {
    const pkg = JSON.parse(read(tarballOf('@multiproc/core'), 'package.json'));
    expect(pkg.peerDependencies.tsx).toBeDefined();
    expect(pkg.peerDependenciesMeta.tsx.optional).toBe(true);
  });
});
