// The exports that load their module on first use (scripts/first-use.mjs) are Proxies over a
// stand-in function. A Proxy must report its target truthfully where the target is fixed (its
// invariants), or the operation throws a TypeError: `'prototype' in Client` did, because
// `Client` is an async function and the stand-in had a `prototype`. Each check runs in a fresh
// program on the built output, on every facade before anything touched it (the first touch also
// loads the module), and again after: each must see what the real export shows, and never throw
// where the real export does not.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/facade-checks.mjs', import.meta.url));

type Seen = Record<string, unknown>;

function run(check: string): Promise<{ facades: string[]; before: Seen; real: Seen; after: Seen }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROGRAM, check], { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stderr })) : resolve(JSON.parse(stdout)),
    );
  });
}

describe('a first-use facade shows what its real export shows', () => {
  it.each([
    'has',
    'keys',
    'ownKeys',
    'descriptors',
    'prototypeOf',
    'name',
    'length',
    'toString',
    'extends',
    'hasInstance',
    'instanceOfPlain',
    'extensible',
    'defineProperty',
    'freeze',
  ])(
    '%s: the same before the module loads and after, on every facade',
    async (check) => {
      const { facades, before, real, after } = await run(check);
      // Client, Queue, Pool, Process and wait at least: the facades the issue names.
      expect(facades).toEqual(expect.arrayContaining(['Client', 'Queue', 'Pool', 'Process', 'wait']));
      expect(before).toEqual(real);
      expect(after).toEqual(real);
    },
    30_000,
  );

  it("reads 'prototype' in an async function's facade as false, and a class's as true", async () => {
    const { before } = await run('has');
    expect((before.Client as boolean[])[0]).toBe(false);
    expect((before.wait as boolean[])[0]).toBe(false);
    expect((before.Queue as boolean[])[0]).toBe(true);
  }, 30_000);
});
