// The built package keeps Process, Pool and the code only they use out of an import (issue #18),
// so a worker whose task module imports the package does not compile them; the first use loads
// them synchronously (scripts/first-use.mjs). Each path that can be the first touch runs once, in
// a fresh program on the built output, as a user's program would; the programs run side by side.
import { describe, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe.concurrent('exports loaded on first use', () => {
  // All three files, or the hub alone: a Process needs none of the pool's host code (issue #18).
  const all = ['first-use', 'hub', 'pool'];
  it.for<[string, unknown[], string[]]>([
    ['pool', [[4, 9], true], all],
    ['process', [0, true], ['hub']],
    ['activeChildren', [[]], ['hub']],
    ['processThenPool', [['hub'], 9, 0, true, true], all],
    ['asyncResult', [false, 'function'], all],
    ['context', [16, true, 'thread'], all],
    ['subclass', [[25], true, true], all],
    ['warmStart', [], all],
  ])(
    '%s works as the first touch, and an import alone loads nothing',
    { timeout: 30_000 },
    async ([scenario, saw, after], { expect }) => {
      const { stdout, stderr, code } = await runProgram('first-use.mjs', [scenario]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ atImport: [], after, saw });
    },
  );
});

it('on a Node without require() of ES modules, the first use throws ContextError naming the Node versions', {
  timeout: 30_000,
}, async ({ expect }) => {
  const { stdout, stderr, code } = await runProgram('old-node.mjs');
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const named = { contextError: true, code: 'MP_CONTEXT', namesVersions: true, namesRunning: true };
  expect(JSON.parse(stdout)).toEqual({ process1: named, process2: named, listener: named, cpuCount: true });
});

it('a supported Node whose process.features.require_module is false (Jest sandbox) still loads on first use', {
  timeout: 30_000,
}, async ({ expect }) => {
  const { stdout, stderr, code } = await runProgram('features-off.mjs');
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({ squares: [4, 9], same: true });
});

it.for([
  ['on the command line', ['--no-experimental-require-module'], {}],
  ['in NODE_OPTIONS', [], { NODE_OPTIONS: '--no-experimental-require-module' }],
] as const)(
  'with require() of ES modules turned off %s, the first use throws ContextError naming the flag',
  {
    timeout: 30_000,
  },
  async ([, flags, env], { expect }) => {
    const { stdout, stderr, code } = await runProgram('require-module-off.mjs', [], env, 20_000, flags);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const named = { contextError: true, code: 'MP_CONTEXT', namesFlag: true };
    expect(JSON.parse(stdout)).toEqual({ pool: named, listener: named });
  },
);
