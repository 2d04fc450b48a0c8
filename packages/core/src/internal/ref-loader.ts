/**
 * The host's loader of task references' modules, until the pool's code is loaded (whose
 * `load-task.ts` registers the workers' own, with TypeScript and test-file handling). A `Queue.get()`,
 * `Connection.recv()` or pool call that receives a reference whose module this realm never imported
 * imports it first, as Python's unpickling does (shared's decode-loads.ts). Kept apart from
 * load-task.ts: the index carries this, not that (its hub may not import a module lazily). A
 * SyntaxError's place is found as load-task.ts finds it, its code loaded only once an import failed.
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
    const place = await syntaxPlace(moduleUrl, err);
    throw new ProcessError(`Cannot import the task module ${moduleUrl}: ${message}${place}`, { cause: err });
  }
}

/**
 * Where the SyntaxError `err` sits, as a worker's load-task.ts says it: ` (at <url>:<line>:<column>)`
 * and the source line with a caret, or '' when it is no SyntaxError or its place is not found.
 * syntax-site.ts is imported on this failure path only: the index carries this module, and every
 * program would pay for parsing that one at start-up.
 */
async function syntaxPlace(moduleUrl: string, err: unknown): Promise<string> {
  if ((err as Error | null)?.name !== 'SyntaxError') return '';
  try {
    const { siteSuffix, syntaxErrorSite } = await import('./syntax-site.js');
    const site = await syntaxErrorSite(moduleUrl, err);
    return site ? `${siteSuffix(site)}${site.excerpt ? `\n${site.excerpt}` : ''}` : '';
  } catch {
    return ''; // the message stays as it was
  }
}
