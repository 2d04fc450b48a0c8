// JSON.stringify(proxy) throws ContextError naming the read to await (it would write `{}`: the
// proxy holds no contents; Python's json.dumps(proxy) raises TypeError). A registered factory that
// gives the same object again gets that object's id (Python keys served objects by id(obj)):
// counted once by numberOfObjects(), kept while any proxy of it lives.
import { execFile } from 'node:child_process';
import { BaseManager, Manager } from '@multiproc/ipc';
import { ContextError } from '@multiproc/shared';
import { afterEach, expect, it } from 'vitest';

const program = new URL('./fixtures/served-once-program.mjs', import.meta.url).pathname;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

it('JSON.stringify() of any proxy throws ContextError naming the awaited read', async () => {
  const manager = Manager();
  cleanup.push(() => manager.shutdown());
  const auto = new BaseManager().register('Box', () => ({ get: () => 1 }));
  await auto.start();
  cleanup.push(() => auto.shutdown());
  const proxies: [unknown, RegExp][] = [
    [manager.dict([['a', 1]]), /await d\.copy\(\)/],
    [manager.list([1]), /await l\.copy\(\)/],
    [manager.Lock(), /await lock\.locked\(\)/],
    [manager.Queue(), /await q\.get\(\)/],
    [manager.Namespace(), /await ns\.copy\(\)/],
    [manager.Event(), /await e\.isSet\(\)/],
    [manager.Value('i', 3), /await v\.get\(\)/],
    [await auto.create('Box'), /await p\.method\(\)/],
  ];
  for (const [proxy, hint] of proxies) {
    let thrown: unknown;
    try {
      JSON.stringify({ nested: [proxy] });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ContextError);
    expect((thrown as Error).message).toMatch(hint);
  }
});

it('a factory giving the same object again: one id, kept while a proxy of it lives anywhere', {
  timeout: 120_000,
}, async () => {
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, ['--expose-gc', program], { timeout: 110_000 }, (_err, out, errOut) =>
      resolve({ stdout: out, stderr: errOut }),
    ),
  );
  expect({ lines: stdout.trim().split('\n'), stderr }).toEqual({
    lines: [
      'twice: 1 object, ["a","b"]',
      'one dropped: 1 object, 2 items',
      'all dropped: 0 objects',
      'thread: exit 0, 32 items, then 0 objects',
      'process: exit 0, 62 items, then 0 objects',
    ],
    stderr: '',
  });
});
