// The README's example must run as pasted: extract it, run it with this Node, check its output.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/readme-example.tmp.mjs', import.meta.url));

afterEach(() => rmSync(script, { force: true }));

it('the README example prints the exact total', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  writeFileSync(script, code!);
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 10_000 });
  expect(stdout.trim()).toBe('200000');
});
