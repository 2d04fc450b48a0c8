// Every byte a worker wrote before it ended reaches the program's reader in whole lines, whatever
// the reader is (a pipe, one that falls behind, a socket, a file, a terminal), however the worker
// ends (it returns, exits, crashes, is terminated, or the main program calls process.exit() right
// after it wrote), while the main program prints lines of its own on both streams; and the
// program ends. The full tier runs the whole matrix; CI's cases are in output-lines.test.ts.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { readLines, runOn, type Sink } from './output-check.ts';

const TIMEOUT_MS = 60_000;
const N = 20;
const hasScript = spawnSync('script', ['--version']).status === 0;
const SINKS: Sink[] = ['pipe', 'slow', 'socket', 'file', ...(hasScript ? (['pty'] as const) : [])];
const ENDINGS = ['return', 'exit', 'crash', 'terminate', 'main-exit'];

describe.each(matrix(import.meta.url))('in the %s context', (context) => {
  describe.each(SINKS)('stdout and stderr on one %s', (sink) => {
    describe.each(['process', 'pool'])('%s workers', (kind) => {
      it.concurrent.for(ENDINGS)(
        'ending by %s: every line whole, none lost',
        { timeout: TIMEOUT_MS },
        async (ending, { expect }) => {
          const { output, code, ms } = await runOn(
            sink,
            'output-stress.mjs',
            [context, kind, ending, String(N), '100000'],
            TIMEOUT_MS - 10_000,
          );
          const { counts, tails, cut } = readLines(output);
          expect({ cut, A: counts.A, B: counts.B, tails }).toEqual({ cut: [], A: N, B: N, tails: 'AB' });
          expect(counts.C).toBeGreaterThan(0);
          expect(code).toBe(0);
          expect(ms).toBeLessThan(TIMEOUT_MS - 10_000);
        },
      );
    });
  });
});
