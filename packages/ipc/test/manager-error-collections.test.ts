// A manager method's error holding one object that refers back to it in two fields
// (`e.o = { e }; e.list = [e.o]`) arrives with one object, and one holding itself inside a Map
// or Set (`e.m = new Map([['self', e]])`) arrives holding itself, as a pool task's error does.
// Before, a thrown one arrived with two copies of `o` (each field's container was copied apart),
// and with a copy of the error in the Map or Set. And a thrown error whose cause chain is too deep
// to send arrives with its first causes, as a pool task's does; the caller got a SerializationError
// naming `result.cause…` in its place, the error's own message lost.
import { BaseManager } from '@multiproc/ipc';
import { afterAll, beforeAll, expect, it } from 'vitest';

const { CASES, ChainThrower, CollectionThrower, faults } = await import(
  new URL('./fixtures/error-collections.mjs', import.meta.url).href
);
const names = Object.keys(CASES);
const none = Object.fromEntries(names.map((n) => [n, []]));

let manager: BaseManager;
let thrower: { throwCase(name: string): Promise<never>; returnCase(name: string): Promise<{ err: Error }> };
beforeAll(async () => {
  manager = new BaseManager();
  manager.register('CollectionThrower', CollectionThrower);
  manager.register('ChainThrower', ChainThrower);
  await manager.start();
  thrower = (await manager.create('CollectionThrower')) as never;
});
afterAll(async () => {
  await manager?.shutdown();
});

it('thrown by a served object: shared parts and the error itself kept', { timeout: 30_000 }, async () => {
  const thrown = await Promise.all(names.map((n) => thrower.throwCase(n).catch((e: unknown) => e)));
  expect(Object.fromEntries(names.map((n, i) => [n, faults(n, thrown[i])]))).toEqual(none);
});

it('returned by a served object: the same', { timeout: 30_000 }, async () => {
  const returned = await Promise.all(names.map(async (n) => (await thrower.returnCase(n)).err));
  expect(Object.fromEntries(names.map((n, i) => [n, faults(n, returned[i])]))).toEqual(none);
});

it('a thrown cause chain too deep to send arrives as the error, its first causes kept', {
  timeout: 30_000,
}, async () => {
  const chain = (await manager.create('ChainThrower')) as unknown as {
    throwChain(n: number): Promise<never>;
  };
  const err = await chain.throwChain(600).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toBe('e599');
  let causes = 0;
  for (let e = err as Error; e.cause instanceof Error; e = e.cause) causes++;
  expect(causes).toBeGreaterThanOrEqual(8);
  expect((err as Error & { cause: Error }).cause.message).toBe('e598');
});
