/**
 * A pool worker started with the pool entry as its main module, not with tinypool's entry, speaks
 * tinypool's worker protocol itself: a thread (`thread-serve.ts`) or a child (`child-serve.ts`).
 * Under tinypool's own entry (the program's first pool thread, a bundled app's workers), which
 * imports the pool entry, nothing is served.
 */

import { serveChildAsMain } from './child-serve.js';
import { endOnFailure } from './crash-report.js';
import { serveThreadAsMain } from './thread-serve.js';

/**
 * Serves tinypool's protocol with `handler` (the pool entry's default export) when this worker was
 * started with the pool entry; `inChild`: this is a forked child, not a worker thread. Call it
 * before `watchLoop()`, where tinypool's entry listens.
 */
export function serveAsMainModule(handler: (task: never) => unknown, inChild: boolean): void {
  // A failure of the worker's own code ends it, as through tinypool's entry (crash-report.ts).
  const guarded = endOnFailure(handler);
  if (inChild) serveChildAsMain(guarded);
  else serveThreadAsMain(guarded);
}
