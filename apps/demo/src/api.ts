/**
 * The library's API as the demo uses it, checked at run time.
 *
 * Each section names the exports it needs. When the `@multiproc/multiproc` build at hand lacks one (an older
 * build, or a package still being written), that section says "not available yet" instead of
 * crashing, and the others still run.
 */
import * as multiproc from '@multiproc/multiproc';

/** The API the demo sees. */
export type Api = typeof multiproc;
/** A public name the demo may need. */
export type ApiName = keyof Api & string;

/** A section needs an API that this build of `@multiproc/multiproc` does not export yet. */
export class NotAvailableError extends Error {
  override readonly name = 'NotAvailableError';
  readonly missing: readonly string[];
  constructor(missing: readonly string[]) {
    super(`not available yet: multiproc does not export ${missing.join(', ')} in this build`);
    this.missing = missing;
  }
}

const exported = multiproc as unknown as Record<string, unknown>;

/** The names among `names` that `@multiproc/multiproc` does not export (yet). */
export function missingApis(names: readonly string[]): string[] {
  return names.filter((name) => exported[name] === undefined);
}

/**
 * The API, after checking that every name in `names` is exported.
 * @throws {NotAvailableError} naming the missing ones.
 */
export function requireApi(names: readonly ApiName[]): Api {
  const missing = missingApis(names);
  if (missing.length > 0) throw new NotAvailableError(missing);
  return multiproc;
}
