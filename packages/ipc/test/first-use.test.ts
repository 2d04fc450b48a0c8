// The built package keeps its queues, pipes, managers and Listener/Client out of an import (issue
// #18: a Pool or Process program, and every worker, never runs them unless it uses them) and
// loads it synchronously on first use (scripts/first-use.mjs). Each path that can be the first
// touch runs once, in a fresh program on the built output, as a user's program would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './core.js'; // fails loudly if core is not built

const PROGRAM = fileURLToPath(new URL('./fixtures/first-use.mjs', import.meta.url));

function run(scenario: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROGRAM, scenario], { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stderr })) : resolve({ stdout, stderr }),
    );
  });
}

describe('exports loaded on first use', () => {
  it.each([
    ['queue', [1, 2, true, true]],
    ['pipe', [1, 'x', true]],
    ['otherQueues', ['s', 'j', true]],
    ['queueToWorkers', ['thread', 'thread', 'process', 'process']],
    ['managerStart', [1, true, true, true]],
    ['newManager', [[1, 2, 3], true, true]],
    ['processManager', [true, true, false]],
    ['subclass', [['x'], true, true, true]],
    ['listener', ['ping', true, 'function']],
    ['instanceOf', [false, 'function', 'function']],
    ['proxyToWorkers', ['seen', 'seen']],
  ])(
    '%s works as the first touch, and an import alone loads nothing',
    async (scenario, saw) => {
      const { stdout, stderr } = await run(scenario);
      expect(stderr).toBe('');
      expect(JSON.parse(stdout)).toEqual({ atImport: false, after: true, saw });
    },
    30_000,
  );
});

describe('first-use code that ran before the index (a bundle that hoisted it)', () => {
  it('keeps the decoders it registered instead of replacing them with loading stand-ins', async () => {
    const program = fileURLToPath(new URL('./fixtures/first-use-order.mjs', import.meta.url));
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [program], { timeout: 20_000 }, (err, out, errOut) =>
        err ? reject(Object.assign(err, { stderr: errOut })) : resolve({ stdout: out, stderr: errOut }),
      );
    });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual([true, true]);
  }, 30_000);
});
