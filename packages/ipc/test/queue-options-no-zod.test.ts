// Right options of Queue, JoinableQueue, SimpleQueue and Pipe are accepted without loading zod
// (issue #18: loading it took ~70 ms of CPU, five times the package's import, on a program's first
// `new Queue()`, and in every worker whose task module makes one); wrong ones still get zod's
// checks and the same messages. Nor do they load a Node module (`child_process`, `net`, `crypto`,
// `os`, `fs/promises`, `worker_threads` and `stream`: ~5 ms more, paid again in every worker whose
// task module makes one; read when a process-context link, a manager or a worker needs them).
// A fresh program: this test's process has loaded zod and those modules already.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/queue-options-program.mjs', import.meta.url));

it('a first Queue, JoinableQueue, SimpleQueue or Pipe with right options loads no zod and no Node module', {
  timeout: 30_000,
}, async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [program], { timeout: 20_000 }, (err, stdout, stderr) =>
      err || stderr ? reject(Object.assign(err ?? new Error(stderr), { stderr })) : resolve(stdout),
    );
  });
  expect(JSON.parse(out)).toEqual({
    rightOnes: false,
    builtins: [],
    sizes: [0, 10, 3, 0, 0, 0, 0],
    error: {
      name: 'ValidationError',
      message: expect.stringMatching(/^Invalid option 'maxsize' for new Queue\(\): expected a whole number/),
    },
  });
});
