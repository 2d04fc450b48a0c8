// A manager method's error holding one object that refers back to it in two fields
// (`e.o = { e }; e.list = [e.o]`) arrives with one object, and one holding itself inside a Map
// or Set (`e.m = new Map([['self', e]])`) arrives holding itself, as a pool task's error does.
// Before, a thrown one arrived with two copies of `o` (each field's container was copied apart),
// and with a copy of the error in the Map or Set.
import { BaseManager } from '@multiproc/ipc';
import { afterAll, beforeAll, expect, it } from 'vitest';

const { CASES, CollectionThrower, faults } = await import(
  new URL('./fixtures/error-collections.mjs', import.meta.url).href
);
const names = Object.keys(CASES);
const none = Object.fromEntries(names.map((n) => [n, []]));

let manager: BaseManager;
let thrower: { throwCase(name: string): Promise<never>; returnCase(name: string): Promise<{ err: Error }> };
beforeAll(async () => {
  manager = new BaseManager();
  manager.register('CollectionThrower', CollectionThrower);
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
