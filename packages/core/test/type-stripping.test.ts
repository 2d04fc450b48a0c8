// A TypeScript program that Node runs itself (type stripping: Node 22.18+ and 24) has its workers
// import its task module the same way, without tsx, though tsx can be found: in a package without
// `"type": "module"` Node runs the file as an ES module (its syntax says so) while tsx would
// compile it as CommonJS, which refuses its top-level `await` (every call failed) and otherwise
// evaluates a second, CommonJS copy. A program run under tsx still has tsx in its workers.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const CORE = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'index.js')).href;
const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A one-file program in a fresh folder whose package.json has `type` (or none): a pool's map and a
 * Process in `context`, each task saying whether its module runs as an ES module there.
 */
function program(type: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-strip-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'strip', ...(type ? { type } : {}) }));
  writeFileSync(
    join(dir, 'main.ts'),
    `import { defineTasks, isMain, Pool, Process } from '${CORE}';
const kind: string = typeof require === 'undefined' ? 'esm' : 'cjs';
export const tasks = defineTasks(import.meta.url, {
  square: (x: number): string => \`\${x ** 2}:\${kind}\`,
  show: (): void => console.log(\`process:\${kind}\`),
});
if (isMain()) {
  const context = process.argv[2] as 'thread' | 'process';
  const pool = new Pool({ processes: 2, context });
  try {
    console.log(\`main:\${kind}\`, (await pool.map(tasks.square, [1, 2, 3], { chunksize: 1 })).join(' '));
  } finally {
    await pool.terminate();
  }
  const p = new Process({ target: tasks.show, context });
  p.start();
  await p.join();
}
`,
  );
  return join(dir, 'main.ts');
}

/** Runs `node [flags] main context` from this package (where `--import tsx` resolves), killed after 60 s. */
function run(
  flags: string[],
  main: string,
  context: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...flags, main, context],
      { cwd: join(import.meta.dirname, '..'), timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
    );
  });
}

describe.each(matrix(import.meta.url))('a one-file TypeScript program (%s context)', (context) => {
  it.runIf(stripsTypes)(
    "on Node's type stripping, in a package without a type, loads its tasks as Node does",
    { timeout: 90_000 },
    async () => {
      const { stdout, stderr, code } = await run(['--no-warnings'], program(undefined), context);
      expect(stdout, stderr).toBe('main:esm 1:esm 4:esm 9:esm\nprocess:esm\n');
      expect(code).toBe(0);
    },
  );

  it('under tsx, has tsx load its tasks in the workers', { timeout: 90_000 }, async () => {
    const { stdout, stderr, code } = await run(['--import', 'tsx'], program('module'), context);
    expect(stdout, stderr).toBe('main:esm 1:esm 4:esm 9:esm\nprocess:esm\n');
    expect(code).toBe(0);
  });
});
