// A thread stopped with worker.terminate() during its first use of the package must not take the
// process down. The first use used to load the code with require() of an ES module, and a stop
// while Node linked those modules aborted the process on Node 20 and 22 (FATAL ERROR:
// v8::Module::IsGraphAsync must be used on an instantiated module): a pool's test run lost its
// whole worker process. Node now runs that code as a CommonJS function (scripts/first-use.mjs),
// which links no module: a stop at any moment only ends the thread.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/first-use-terminated.mjs', import.meta.url));

it('threads stopped at any moment of their first use end alone, and the code loads as no ES module', async () => {
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, [PROGRAM, '40'], { timeout: 90_000 }, (err, out, errOut) =>
      err ? reject(Object.assign(err, { stderr: errOut })) : resolve({ stdout: out, stderr: errOut }),
    );
  });
  expect(stderr).toBe('');
  const seen = JSON.parse(stdout);
  expect(seen.threads).toBe(40);
  expect(seen.stopped).toBeGreaterThan(0);
  // The first use in a thread ran the CommonJS function: neither the stub nor the ES module file.
  expect(seen.sample).toEqual({ made: 'object', lazy: ['first-use.cjs'] });
}, 120_000);
