// A program's first Queue, SimpleQueue, JoinableQueue or Pipe loads the package's first-use file
// alone, not the managers' and Listener/Client code (issue #18: that code was ~165 kB of the one
// first-use file, compiled by every first queue: ~6 ms of CPU in a program and in each worker whose
// task makes one); a Listener, Client or manager loads it, `dist/lazy/first-use-net`, on its own
// first use (`multiprocBuild.loadApartOnFirstUse`). In a fresh program on the built output.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/first-queue-loads-program.mjs', import.meta.url));

it('a first queue or pipe loads the first-use file only; a first Listener loads the managers and Listener/Client file', {
  timeout: 30_000,
}, async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [program], { timeout: 20_000 }, (err, stdout, stderr) =>
      err || stderr ? reject(Object.assign(err ?? new Error(stderr), { stderr })) : resolve(stdout),
    );
  });
  // Node runs each as a CommonJS function (scripts/first-use-factory.mjs).
  expect(JSON.parse(out)).toEqual({
    atImport: [],
    queues: { files: ['first-use.cjs'], managers: [false, false, false], got: [1, 'x', 1] },
    queueNames: [
      expect.stringMatching(/^ValidationError: .*putNowait\(\)/),
      expect.stringMatching(/^ValidationError: .*sendBytes\(\)/),
    ],
    net: {
      files: ['first-use-net.cjs', 'first-use.cjs'],
      managers: [true, true, true],
      got: 'ping',
      name: expect.stringMatching(/^ValidationError: .*lastAccepted/),
    },
  });
});
