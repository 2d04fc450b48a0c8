// A `.cts` task module under tsx on Node 20: a worker's import() of it ran it through the ES loader's
// own require(), which cannot require an ES module, and the task module's require of multiproc
// failed ("Cannot read properties of undefined (reading 'exports')"; "request for
// '@multiproc/shared' is not in cache" where multiproc was not loaded yet). Workers on Node 20 now
// require() a `.cts` module (src/internal/load-task.ts). The same failure in the program's own
// main `.cts` is tsx's with Node 20, with any ES package (getting-started.md says what to do).
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.js';

describe('a .cts task module under tsx', () => {
  it('runs in a thread and in a child process', { timeout: 60_000 }, async () => {
    const { stdout, stderr, code } = await runProgram('cts-main.mts', [], {}, undefined, ['--import', 'tsx']);
    expect({ stdout, stderr, code }).toEqual({ stdout: 'thread 9\nprocess 9\n', stderr: '', code: 0 });
  });
});
