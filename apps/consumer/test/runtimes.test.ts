// The support matrix of the root README and the runtimes guide, checked on the runtimes themselves:
// every "yes" must work, every "no" must be refused at once with a ContextError naming the runtime
// (never a hang or a crash). Bun and Deno come from their npm packages (optional dependencies).
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, run } from './exec.ts';
import { REPO, withFixtures } from './project.ts';

const COMBOS = [
  ['Process', 'thread'],
  ['Process', 'process'],
  ['Pool', 'thread'],
  ['Pool', 'process'],
] as const;

/** The matrix rows of a markdown file: runtime name -> one cell per combination. */
function matrix(file: string): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  for (const line of readFileSync(join(REPO, file), 'utf8').split('\n')) {
    const m = /^\| (Node\.js|Bun|Deno)\b[^|]*\|(.*)\|\s*$/.exec(line);
    if (m) rows[m[1]!] = m[2]!.split('|').map((cell) => cell.trim());
  }
  return rows;
}

const readme = matrix('README.md');
const guide = matrix('apps/docs/guide/runtimes.md');

function binary(pkg: string, file: string): string | undefined {
  try {
    const path = join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), file);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const RUNTIMES = [
  { name: 'Node.js', command: process.execPath, args: [] as string[] },
  { name: 'Bun', command: binary('@oven/bun-linux-x64', 'bin/bun'), args: [] as string[] },
  { name: 'Deno', command: binary('@deno/linux-x64-glibc', 'deno'), args: ['run', '-A'] },
];

describe('the support matrix', () => {
  it('is the same in the root README and the runtimes guide, with a cell per combination', () => {
    expect(Object.keys(readme).sort()).toEqual(['Bun', 'Deno', 'Node.js']);
    expect(guide).toEqual(readme);
    for (const cells of Object.values(readme)) {
      expect(cells).toHaveLength(COMBOS.length);
      for (const cell of cells) expect(cell).toMatch(/^(yes|no\b)/);
    }
  });
});

describe.concurrent.each(RUNTIMES)('$name', ({ name, command, args }) => {
  if (!command) {
    // Its npm package ships binaries for a few platforms only; on linux-x64 (CI) it must be there.
    it(`${name} has no binary for ${process.platform}-${process.arch}`, () => {
      expect(`${process.platform}-${process.arch}`).not.toBe('linux-x64');
    });
    return;
  }
  it.each(COMBOS.map(([api, context], i) => ({ api, context, i })))(
    '$api in the $context context is as the matrix says',
    async ({ api, context, i }) => {
      const expected = readme[name]![i]!;
      const dir = withFixtures('runtime-probe.mjs');
      const ran = await run(command, [...args, 'runtime-probe.mjs', api, context], {
        cwd: dir,
        env: cleanEnv({ NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }),
        timeoutMs: 60_000,
      });
      const outcome = ran.stdout.trim();
      if (expected.startsWith('yes')) expect(outcome, ran.stderr).toBe('yes');
      else {
        expect(outcome, ran.stderr).toMatch(/^refused ContextError: /);
        expect(outcome).toContain(name === 'Node.js' ? 'Node' : name);
      }
    },
  );
});

// Managers are served from the program itself, in the thread context on every runtime. On Bun every
// proxy call waited for ever: the server re-wrapped each accepted socket's handle to read it with
// `onread`, which Bun does not honour for such a socket.
describe.concurrent.each(RUNTIMES.filter((r) => r.command))('$name', ({ command, args }) => {
  it('serves a Manager: a thread Process writes a dict proxy, and a process-context Lock is taken', async () => {
    const dir = withFixtures('runtime-probe.mjs');
    const ran = await run(command!, [...args, 'runtime-probe.mjs', 'Manager', 'thread'], {
      cwd: dir,
      env: cleanEnv({ NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }),
      timeoutMs: 60_000,
    });
    expect(ran.stdout.trim(), ran.stderr).toBe('yes');
  });
});

// Deno and Bun run TypeScript themselves. A project that also has tsx (the README's advice for
// Node) must not get tsx's hooks registered in their workers: on Deno they broke the ipc code.
describe.concurrent.each(RUNTIMES.filter((r) => r.name !== 'Node.js' && r.command))(
  '$name',
  ({ command, args }) => {
    it('runs a .ts task module in a thread Process with a Queue, with tsx installed in the project', async () => {
      const dir = withFixtures('runtime-probe.mjs');
      copyFileSync(join(dir, 'runtime-probe.mjs'), join(dir, 'runtime-probe.ts'));
      mkdirSync(join(dir, 'node_modules'));
      const tsx = dirname(createRequire(join(REPO, 'package.json')).resolve('tsx/package.json'));
      symlinkSync(tsx, join(dir, 'node_modules', 'tsx'), 'dir');
      const ran = await run(command!, [...args, 'runtime-probe.ts', 'Process', 'thread'], {
        cwd: dir,
        env: cleanEnv({ NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }),
        timeoutMs: 60_000,
      });
      expect(ran.stdout.trim(), ran.stderr).toBe('yes');
    });
  },
);
