// A worker sees the program's main script, as Python's spawned child gets the parent's sys.argv
// and its __main__: a task module registered by `require.main.filename` or `process.argv[1]` loads
// in the workers (it threw "Cannot read properties of undefined (reading 'filename')", or named the
// worker entry: "Task 'seen' is not defined by ..."), and `require.main === module` stays false there.
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe("the program's main script in the workers", () => {
  it.each(['main', 'argv', 'url'])(
    'a CommonJS program registering its tasks by its %s runs them',
    async (form) => {
      const { stdout, stderr, code } = await runProgram('program-main.cjs', [form]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toBe(
        'thread 1 false program-main.cjs false\nhello thread fixtures\n' +
          'process 1 false program-main.cjs false\nhello process fixtures\n',
      );
    },
  );

  // JavaScript's main-module guard (`import.meta.url === pathToFileURL(process.argv[1]).href`) was
  // true in the workers once they took the program's script as their argv[1]: each worker ran the
  // program's main code again (ContextError: "Cannot create a Pool while this worker is importing").
  it('an ES program registering its tasks by process.argv[1], guarded by it, runs them once', async () => {
    const { stdout, stderr, code } = await runProgram('program-main.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('thread 1 false undefined\nhello thread\nprocess 1 false undefined\nhello process\n');
  });
});
