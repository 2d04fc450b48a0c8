/**
 * Loads multiproc for the bench and says which of its APIs exist yet. Everything is looked up at
 * run time (a variable specifier, so the bench compiles before the packages do): a case whose API
 * is missing is reported as pending instead of failing the run.
 */
import { fixtureUrl } from './paths.js';

type Module = Record<string, any>;

let mpPromise: Promise<Module> | undefined;
let sharedPromise: Promise<Module> | undefined;
let tasksPromise: Promise<Module> | undefined;
let startTasksPromise: Promise<Module> | undefined;

async function load(specifier: string): Promise<Module> {
  try {
    return (await import(specifier)) as Module;
  } catch {
    return {};
  }
}

/** The `multiproc` umbrella package (empty when it is not built). */
export function multiproc(): Promise<Module> {
  mpPromise ??= load('@multiproc/multiproc');
  return mpPromise;
}

/** `@multiproc/shared` (empty when it is not built). */
export function sharedPackage(): Promise<Module> {
  sharedPromise ??= load('@multiproc/shared');
  return sharedPromise;
}

/** The task references of `fixtures/mp-tasks.mjs` (needs `defineTasks`). */
export async function mpTasks(): Promise<Record<string, any>> {
  tasksPromise ??= import(fixtureUrl('mp-tasks.mjs').href) as Promise<Module>;
  return (await tasksPromise).tasks as Record<string, any>;
}

/**
 * The task references of `fixtures/mp-start-tasks.mjs` (needs `defineTasks`): the start-up rows'
 * trivial target, in a module that imports only the umbrella.
 */
export async function mpStartTasks(): Promise<Record<string, any>> {
  startTasksPromise ??= import(fixtureUrl('mp-start-tasks.mjs').href) as Promise<Module>;
  return (await startTasksPromise).tasks as Record<string, any>;
}

/**
 * For `BenchCase.unavailable`: pending until `multiproc` exports every name in `names` (and
 * `@multiproc/shared` every name in `sharedNames`).
 */
export function needs(names: string[], sharedNames: string[] = []): () => Promise<string | undefined> {
  return async () => {
    const mp = await multiproc();
    const shared = await sharedPackage();
    const missing = [
      ...names.filter((n) => mp[n] === undefined).map((n) => `multiproc.${n}`),
      ...sharedNames.filter((n) => shared[n] === undefined).map((n) => `@multiproc/shared.${n}`),
    ];
    return missing.length > 0 ? `${missing.join(', ')} not available yet` : undefined;
  };
}

/**
 * A `ByteChannel` with room for `capacityBytes`. Kept in one place: the constructor's shape is
 * the part of the ring-buffer API the contract leaves open.
 */
export async function createByteChannel(capacityBytes: number): Promise<any> {
  const { ByteChannel } = await sharedPackage();
  return new ByteChannel({ capacity: capacityBytes });
}

/** Ends a multiproc pool whatever its state. */
export async function endPool(pool: any): Promise<void> {
  await pool?.terminate?.();
}
