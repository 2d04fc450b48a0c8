/**
 * A manager is served from the thread that made it (Python serves it from a separate process):
 * its requests are read and answered by that thread's event loop. A blocking wait there
 * (`ev.waitSync()`, `lock.acquireSync()`, ...) stops the loop, so every proxy call to the manager
 * stalls until the wait ends, and a wait that only a proxy's caller could end (a worker that sets
 * the event after a `d.get()`) never ends. `@multiproc/shared` calls the hook
 * `Symbol.for('multiproc.beforeBlocking')` before each wait that blocks; this one warns once per
 * realm ({@link MANAGER_BLOCKED_CODE}) when this thread serves a manager that something other than
 * this thread uses: a connection of another thread, process or program, or a proxy held or on its
 * way there.
 */

import type { Address } from '../net/endpoint.js';
import { hasClientOf } from './client-registry.js';

/** The warning's code, for `process.on('warning', (w) => w.code === MANAGER_BLOCKED_CODE)`. */
export const MANAGER_BLOCKED_CODE = 'MP_MANAGER_BLOCKED';

/** What this rule needs of a server (server.ts). */
export interface BlockableServer {
  readonly address: Address;
  readonly authkey: string;
  readonly instance: string;
  /** Live client connections, this thread's own client's included. */
  readonly connections: number;
  readonly refs: { readonly heldElsewhere: boolean };
}

const HOOK = Symbol.for('multiproc.beforeBlocking');
const servers = new Set<BlockableServer>();
let warned = false;

/** `server` is served from this thread (`on`), or no longer is. */
export function servedHere(server: BlockableServer, on: boolean): void {
  if (on) servers.add(server);
  else servers.delete(server);
  const hooks = globalThis as Record<symbol, unknown>;
  if (!warned && servers.size > 0) hooks[HOOK] = beforeBlocking;
  else if (hooks[HOOK] === beforeBlocking) delete hooks[HOOK];
}

function usedElsewhere(s: BlockableServer): boolean {
  return s.refs.heldElsewhere || s.connections > (hasClientOf(s.address, s.authkey, s.instance) ? 1 : 0);
}

function beforeBlocking(): void {
  if (warned) return;
  for (const s of servers) {
    if (!usedElsewhere(s)) continue;
    warned = true;
    delete (globalThis as Record<symbol, unknown>)[HOOK];
    // Emitted now, not through process.emitWarning(), which emits on the next tick: this thread
    // is about to block, maybe for good, and the warning is of use only if it is seen first.
    const warning = Object.assign(
      new Error(
        'A blocking wait (waitSync(), acquireSync(), ...) started in the thread that serves a ' +
          'Manager other threads or processes use: the manager answers no proxy call until the wait ' +
          'ends, so a wait that such a call would end never does. Use the async form (await ' +
          'ev.wait(), await lock.acquire()) in that thread, or serve the manager from another one.',
      ),
      { name: 'MultiprocWarning', code: MANAGER_BLOCKED_CODE },
    );
    process.emit('warning', warning);
    return;
  }
}
