// How a pool's workers end: a task's SIGTERM handler must neither hang join()/terminate() nor let
// the program end with them unsettled (exit code 13).
import { expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { runProgram } from './helpers.ts';

it('ends workers whose task ignores SIGTERM: join() without a signal, terminate() by SIGKILL', async () => {
  const { stdout, code } = await runProgram('sigterm-handler.mjs');
  const lines = stdout.split('\n').filter(Boolean);
  for (const context of matrix(import.meta.url)) {
    expect(lines).toContain(`${context} ran ok,ok,ok,ok`);
    expect(lines).toContain(`${context} joined`);
    expect(lines).toContain(`${context} terminated`);
  }
  // terminate() signals its children (Python's terminate() too); a closed pool's join() does not.
  expect(lines.filter((l) => l === 'worker got SIGTERM')).toHaveLength(2);
  expect(lines.at(-1)).toBe('main exit 0');
  expect(code).toBe(0);
}, 30_000);
