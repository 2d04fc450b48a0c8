/**
 * The flush hook: what a worker entry calls after each task and before exiting, without
 * importing this package: `await globalThis[Symbol.for('multiproc.ipc.flush')]?.()`.
 */

/** What the hook needs of a remote handle. */
export interface Flushable {
  /** Gives back items fetched ahead and not used. */
  giveBack(): void;
  /** Resolves once what was sent reached the transport and every waiting put was answered. */
  flush(): Promise<void>;
}

const open = new Set<Flushable>();

export function track(h: Flushable): void {
  open.add(h);
}

export function untrack(h: Flushable): void {
  open.delete(h);
}

/**
 * Gives back what every remote handle of this thread fetched ahead, and resolves once each has
 * handed what it sent to its transport and got an answer for every waiting put.
 */
export async function flushAll(): Promise<void> {
  await Promise.all(
    [...open].map((h) => {
      h.giveBack();
      return h.flush();
    }),
  );
}

(globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.ipc.flush')] = flushAll;
