/**
 * Part of suite `process` (issue 18): the cold `import` of the umbrella package against
 * `import('tinypool')`, each in a fresh Node process started from this app (so both resolve from
 * the same node_modules). The child times its own `import()` with `performance.now()`, so Node's
 * own start-up is excluded for both. Each sample is the mean of `starts` processes, after one
 * warm-up process per case (it fills the file cache).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sampleRuns } from '../harness.js';
import type { BenchCase } from '../types.js';

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TITLE = 'cold import of the package, in a fresh process';

/** Runs `import(specifier)` in a fresh Node process; resolves to the ms the import took there. */
function importMs(specifier: string): Promise<number> {
  const code = `const t0 = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t0);`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: APP_ROOT }, (err, stdout) => {
      if (err) reject(err);
      else resolve(Number(stdout.trim()));
    });
  });
}

function importCase(id: string, impl: string, specifier: string, kind: BenchCase['kind']): BenchCase {
  return {
    id,
    suite: 'process',
    group: 'process.import',
    title: TITLE,
    impl,
    kind,
    unit: 'ms',
    better: 'lower',
    noWarmup:
      'each sample starts fresh processes (a cold import on purpose); one untimed process first fills the file cache',
    measure: async ({ runs, warmup, sizes }) => {
      await importMs(specifier);
      const samples = await sampleRuns({ runs, warmup }, async () => {
        let total = 0;
        for (let i = 0; i < sizes.starts; i++) total += await importMs(specifier);
        return total / sizes.starts;
      });
      return { samples };
    },
  };
}

/** The import cases of the `process` suite. */
export function importCases(): BenchCase[] {
  return [
    importCase(
      'process/import/multiproc',
      "import('@multiproc/multiproc')",
      '@multiproc/multiproc',
      'multiproc',
    ),
    importCase('process/import/tinypool', "import('tinypool')", 'tinypool', 'peer'),
  ];
}
