// A Process ends as a Node program ends once its target has returned (defects found by a
// black-box tester): exit status from unhandled rejections, late throws and process.exitCode,
// and work the target started without awaiting it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { runProgram } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('exits like a Node program after its target, in both contexts', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-exit-'));
  dirs.push(dir);
  const { stdout, stderr, code } = await runProgram('exit-status.mjs', [dir]);
  const lines = stdout.split('\n').filter(Boolean);
  for (const context of matrix(import.meta.url)) {
    expect(lines).toContain(`${context} unhandled exitCode=1`);
    expect(lines).toContain(`${context} setExitCode exitCode=3`);
    expect(lines).toContain(`${context} lateThrow exitCode=1`);
    expect(lines).toContain(`${context} unawaitedWrite exitCode=0 size=1000000`);
    expect(lines).toContain(`${context} nothing exitCode=0`);
    expect(lines).toContain(`${context} leftOpen exitCode=0`);
  }
  expect(lines).toContain('process unawaitedSet exitCode=0 isSet=true');
  expect(lines).toContain('queues sent sent');
  expect(stderr.match(/unhandled in target/g)?.length).toBeGreaterThanOrEqual(2);
  expect(stderr.match(/thrown late/g)?.length).toBeGreaterThanOrEqual(2);
  expect(code).toBe(0);
}, 40_000);
