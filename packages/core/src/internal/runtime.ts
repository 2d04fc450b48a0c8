/**
 * Other JavaScript runtimes that run Node programs: what of multiproc works there. Bun and Deno run
 * worker threads well enough for `Process` (and Bun for `Pool`), but their child-process IPC cannot
 * carry what the 'process' context sends, and tinypool's worker threads never start on Deno.
 * Rather than hang, those combinations fail at once with a `ContextError` naming the runtime.
 * The support matrix in the runtimes guide is checked against this table by the consumer tests.
 */
import { ContextError } from '@multiproc/shared';
import type { ContextName } from '../options.js';

type Api = 'Pool' | 'Process';
type Unsupported = Partial<Record<Api, Partial<Record<ContextName, string>>>>;

const BUN_IPC = "Bun's child-process IPC cannot carry multiproc's messages (no node:v8 Serializer)";
const DENO_IPC = "Deno's child-process IPC cannot clone the pool's and queues' messages";

const UNSUPPORTED: Readonly<Record<'bun' | 'deno', Unsupported>> = {
  bun: { Pool: { process: BUN_IPC }, Process: { process: BUN_IPC } },
  deno: {
    Pool: { thread: "tinypool's worker threads never start on Deno", process: DENO_IPC },
    Process: { process: DENO_IPC },
  },
};

/** The runtime this program runs on, with its version. */
export function currentRuntime(): { name: 'node' | 'bun' | 'deno'; label: string } {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return { name: 'bun', label: `Bun ${versions.bun}` };
  if (versions.deno) return { name: 'deno', label: `Deno ${versions.deno}` };
  return { name: 'node', label: `Node.js ${process.version}` };
}

/**
 * Fails fast where this runtime cannot run `api` in `context`.
 * @throws {ContextError} naming the runtime, the reason and what to use instead.
 */
export function assertRuntimeSupports(api: Api, context: ContextName): void {
  const runtime = currentRuntime();
  if (runtime.name === 'node') return;
  const reason = UNSUPPORTED[runtime.name][api]?.[context];
  if (reason === undefined) return;
  const instead =
    runtime.name === 'bun' || api === 'Process'
      ? `use context: 'thread', or run on Node.js`
      : 'use Process in the thread context, or run on Node.js';
  throw new ContextError(
    `${api} in the '${context}' context does not run on ${runtime.label}: ${reason}. ` +
      `Rather than hang, multiproc refuses it: ${instead}. See ` +
      'https://github.com/multiproc/multiproc/blob/main/apps/docs/guide/runtimes.md',
  );
}
