/**
 * Worker side (a thread): the jobs of a batch this worker answered without starting them (taken
 * back by the host, a batch cancelled or refused before it ran, an initializer that failed). Their
 * arguments were never decoded, yet what the host encoded in them for this thread came with them:
 * the port of each queue's or pipe end's copy, which counts as a handle at the object's home
 * until it closes. The host posts such a job again with new copies, or not at all, so these ports
 * are closed here (a child process gets reservations instead, which the host gives back).
 */
import type { Job } from '../internal/batch.js';

/** Closes the ports the encoded arguments of `jobs[from…]` carry. */
export function closeUnstarted(jobs: readonly Job[], from: number): void {
  for (let j = from; j < jobs.length; j++) {
    const job = jobs[j]!;
    if (job.encoded) closePorts(job.kind === 'map' ? job.items : job.args, new Set());
  }
}

function closePorts(v: unknown, seen: Set<object>): void {
  if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v)) return;
  seen.add(v);
  if (typeof (v as { postMessage?: unknown }).postMessage === 'function' && isPort(v)) {
    (v as { close(): void }).close();
    return;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) {
      closePorts(k, seen);
      closePorts(x, seen);
    }
  } else if (v instanceof Set || Array.isArray(v)) for (const x of v) closePorts(x, seen);
  else for (const x of Object.values(v)) closePorts(x, seen);
}

/** Read at use: a pool worker in a child process never gets here and loads no worker_threads. */
const isPort = (v: object): boolean =>
  v instanceof process.getBuiltinModule('node:worker_threads').MessagePort;
