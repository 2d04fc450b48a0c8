import { basename } from 'node:path';

/** The two contexts a pool or process runs its workers in. */
export type ContextName = 'thread' | 'process';

/**
 * The contexts a test file runs its per-context cases in. The full tier (`npm run test:full`) runs
 * both; the CI tier (`npm test`) runs one per file, chosen by the file's name, so that each context
 * still runs in about half the files while CI's CPU time stays inside its budget on 2 cores
 * (both contexts in every file took it past 20 minutes). What the two contexts share (the pool's
 * scheduling, the codec, the queue protocol) runs in either; what differs between them has files
 * of its own for each context (pool-thread / pool-process, ...), which this does not thin out.
 *
 * A case that holds in one context only does not belong inside `describe.each(matrix(...))` as
 * `it.runIf(context === 'process')`: in CI, half the files run the other context, and the case
 * would never run there. Give it a `describe` of its own context beside the matrix (it runs once in
 * every tier, the rest of the file still in one context in CI). multiproc's
 * `one-context-cases.test.ts` names any matrix file that gates a case on its context.
 *
 * @param fileUrl the test file's `import.meta.url`
 * @example
 * describe.each(matrix(import.meta.url))('in the %s context', (context) => { ... });
 */
export function matrix(fileUrl: string): readonly ContextName[] {
  if (process.env.MULTIPROC_TESTS === 'full') return ['thread', 'process'];
  return [nameHash(basename(new URL(fileUrl).pathname)) % 2 === 0 ? 'thread' : 'process'];
}

/**
 * FNV-1a (32-bit) of a file's name: how the CI tier picks a file's context ({@link matrix}) and the
 * half of a package's regression files it runs (`regressionHalf()` in vitest.shared.ts), the same
 * on every machine and run.
 */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}
