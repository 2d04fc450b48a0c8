// processAuthkey() is 32 random bytes, as Python's os.urandom(32), made without loading Node's
// crypto modules where the kernel's generator is a file (issue #18: 4-10 ms of CPU in a program
// that starts one Process), and with Web Crypto where it cannot be read. Fresh programs: an
// `-e` script, or this test's own process, has loaded the crypto modules already.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/authkey-program.mjs', import.meta.url));

function run(args: string[] = []): Promise<{ before: boolean; key: string; crypto: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...args, program], { timeout: 20_000 }, (err, stdout, stderr) =>
      err || stderr
        ? reject(Object.assign(err ?? new Error(stderr), { stderr }))
        : resolve(JSON.parse(stdout)),
    );
  });
}

it('is 32 random bytes, a new key in every program, made without the crypto modules on Node', {
  timeout: 30_000,
}, async () => {
  const [a, b] = await Promise.all([run(), run()]);
  for (const seen of [a, b]) {
    expect(seen.key).toMatch(/^[0-9a-f]{64}$/);
    expect(seen.before).toBe(false);
    expect(seen.crypto).toBe(process.platform === 'win32');
  }
  expect(a.key).not.toBe(b.key);
});

it.skipIf(process.platform === 'win32')(
  'is made with Web Crypto when /dev/urandom cannot be read (Node permission model)',
  { timeout: 30_000 },
  async () => {
    // Reads allowed for the repository only: opening /dev/urandom throws ERR_ACCESS_DENIED.
    const root = dirname(dirname(dirname(dirname(program))));
    const flag =
      Number(process.versions.node.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';
    const seen = await run([flag, `--allow-fs-read=${root}/*`, '--no-warnings']);
    expect(seen.key).toMatch(/^[0-9a-f]{64}$/);
    expect(seen.crypto).toBe(true);
  },
);
