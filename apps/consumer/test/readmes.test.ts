// Every README's example, pasted into the fresh project: its install line must bring every package
// the example imports, and the example must print what its comments say.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, run } from './exec.ts';
import { consumer, PACKAGES, REPO, readmeExamples, scratch, userStderr } from './project.ts';

// The bullmq README's example needs Redis and a running worker: bullmq.test.ts runs the installed
// package that way, and the package's own tests run the README's example as written.
const READMES = [
  { name: 'the root README', dir: '.' },
  ...PACKAGES.filter((p) => !('readmeNeedsRedis' in p)),
];

describe.each(READMES)('$name README', ({ dir }) => {
  const examples = readmeExamples(join(REPO, dir, 'README.md')).map((example, index) => ({ example, index }));

  it('needs no change to the project npm init made ("type": "commonjs")', () => {
    expect(JSON.parse(consumer().appPackageJson).type ?? 'commonjs').toBe('commonjs');
    expect(examples[0]!.example.setup).toEqual([]);
  });

  it.each(examples)('installs every package $example.file imports', ({ example }) => {
    expect(example.installs.length).toBeGreaterThan(0);
    expect(example.imports.filter((pkg) => !example.installs.includes(pkg))).toEqual([]);
  });

  // The root README's first example runs on every Node line in node.test.ts.
  it.each(examples.filter(({ index }) => dir !== '.' || index > 0))(
    '$example.file prints what its comments say, run as its first line says',
    async ({ example }) => {
      const cwd = scratch({ [example.file]: example.code });
      const [command, ...args] = example.run;
      const ran = await run(command!, command === 'npx' ? ['--yes', ...args] : args, {
        cwd,
        env: cleanEnv(),
        timeoutMs: 120_000,
      });
      expect(userStderr(ran.stderr)).toBe('');
      expect(ran.stdout.trim().split('\n')).toEqual(example.expected);
    },
  );
});
