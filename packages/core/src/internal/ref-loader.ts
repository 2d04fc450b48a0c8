/**
 * The host's loader of task references' modules, until the pool's code is loaded (whose
 * `load-task.ts` registers the workers' own, with TypeScript and test-file handling). A `Queue.get()`,
 * `Connection.recv()` or pool call that receives a reference whose module this realm never imported
 * imports it first, as Python's unpickling does (shared's decode-loads.ts). Kept apart from
 * load-task.ts: the index carries this, not that (its hub may not import a module lazily).
 */
import { ProcessError } from '@multiproc/shared';

/**
 * Imports a task module received in a reference; rejects with `ProcessError` naming it, as a
 * worker's load of a task module does. `forget` drops what a module that threw had registered.
 */
export async function importRefModule(moduleUrl: string, forget: (module: string) => void): Promise<void> {
  // Only files: a received value must never make this realm evaluate code given inline (data:, blob:).
  if (!moduleUrl.startsWith('file:')) {
    throw new ProcessError(
      `Refusing to import the task module ${moduleUrl.slice(0, 80)}: task modules must be files.`,
    );
  }
  try {
    await import(/* webpackIgnore: true */ /* @vite-ignore */ moduleUrl);
  } catch (err) {
    forget(moduleUrl);
    const message = (err as Error)?.message ?? String(err);
    throw new ProcessError(`Cannot import the task module ${moduleUrl}: ${message}`, { cause: err });
  }
}
