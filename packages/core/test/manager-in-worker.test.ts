// A worker that starts its own Manager (or uses the 'process' context's primitives, whose manager
// it then serves) waits on its objects as the main thread does: the loop running dry while the
// manager has not read the request yet is not taken for a target that can never settle.
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { runProgram } from './helpers.ts';

describe.each(matrix(import.meta.url))('a %s Process serving its own Manager', (context) => {
  it('gets untimed waits it can satisfy answered, and one nothing could end rejected, then exits 0', async () => {
    const { stdout, stderr, code } = await runProgram('manager-in-worker.mjs', [context]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'lock resolved true',
      'semaphore resolved true',
      'set event resolved true',
      'queue resolved 1',
      'context lock resolved true',
      'context barrier resolved 0',
      'unset event LockError',
      'exitCode 0',
      '',
    ]);
  });
});
