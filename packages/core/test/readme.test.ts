// The README's example, run as written (through tsx, as its comment says).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('README', () => {
  it('runs the example and prints what it says', () => {
    const readme = readFileSync(join(here, '../README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const dir = mkdtempSync(join(here, 'fixtures/.readme-'));
    const file = join(dir, 'square.ts');
    writeFileSync(file, code);
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', file], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(out.trim()).toBe('[ 1, 4, 9, 16, 25 ]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
