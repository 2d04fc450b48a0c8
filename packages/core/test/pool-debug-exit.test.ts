// NODE_DEBUG=multiproc names how a pool's worker ended: a thread the pool ended with
// worker.terminate() (one that never ran a call is not asked to exit) exits with code 1, which
// Node gives every terminated thread; the line says the pool stopped it instead of "code 1".
import { describe, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { runProgram } from './helpers.ts';

describe.concurrent('NODE_DEBUG=multiproc exit lines of a closed pool', { timeout: 60_000 }, () => {
  it.for(matrix(import.meta.url))(
    '%s context: no worker of a closed pool exits "code 1"',
    async (context, { expect }) => {
      const { stdout, stderr, code } = await runProgram('pool-debug-closed.mjs', [context], {
        NODE_DEBUG: 'multiproc',
      });
      expect(code).toBe(0);
      expect(stdout).toBe('');
      const exits = stderr.split('\n').filter((line) => / exited \(/.test(line));
      expect(exits).toHaveLength(2);
      for (const line of exits) {
        expect(line).toMatch(/exited \((code 0|stopped by the pool with worker\.terminate\(\)), closed\)$/);
      }
      // The worker that never ran a call: a thread is terminated, a child closes on its channel.
      const stopped = exits.filter((line) => line.includes('stopped by the pool')).length;
      expect(stopped).toBe(context === 'thread' ? 1 : 0);
    },
  );
});
