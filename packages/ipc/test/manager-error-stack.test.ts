// An error a served object throws rejects the proxy's call with the caller's lines in its stack
// (where the user awaited the call), then the manager's stack, as Python shows the local traceback
// and the remote one: with several locks, the stack says which call failed.
import { KeyError } from '@multiproc/ipc';
import { LockError } from '@multiproc/shared';
import { expect, it } from 'vitest';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();
const THIS_FILE = /manager-error-stack\.test\.ts/;

async function failingPop(d: { pop(k: string): Promise<unknown> }): Promise<unknown> {
  return await d.pop('nope');
}

async function caught(f: () => Promise<unknown>): Promise<Error> {
  try {
    await f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

it("a dict's pop() of a missing key: the stack names the caller's function, then the manager's", async () => {
  const d = (await manager()).dict();
  const err = await caught(() => failingPop(d));
  expect(err).toBeInstanceOf(KeyError);
  const [head, ...lines] = (err.stack ?? '').split('\n');
  expect(head).toBe(`${err.name}: ${err.message}`);
  const caller = lines.findIndex((l) => l.includes('failingPop'));
  const server = lines.findIndex((l) => l.includes("The manager's stack"));
  expect(caller).toBeGreaterThanOrEqual(0);
  expect(lines[caller]).toMatch(THIS_FILE);
  expect(server).toBeGreaterThan(caller);
  expect(lines.length).toBeGreaterThan(server + 1); // the served object's frames follow
});

it.each([
  ['a manager Lock', async () => (await manager()).Lock()],
  ["getContext('process').Lock()", async () => core.getContext('process').Lock()],
])('%s released unheld: the stack leads to the awaiting line of this file', async (_, make) => {
  const lock = await make();
  const err = await caught(async () => {
    await lock.release();
  });
  expect(err).toBeInstanceOf(LockError);
  expect(err.stack).toMatch(THIS_FILE);
  expect(err.message).not.toMatch(/at /);
});
