/**
 * Start-up floors (issue 18): bare Node workers and children that load what every multiproc worker
 * must load (the umbrella package, which a task module imports) and nothing of multiproc's own
 * machinery. The start-up rows are read against these as well as against their peers: the gap
 * between a floor and the bare runtime is the cost of the package's code, not of how it starts.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { nowMs } from './harness.js';
import { fixturePath, fixtureUrl } from './paths.js';

/** What a start-up floor's module imports: the umbrella, or a peer library of about its size. */
export type FloorImport = 'umbrella' | 'tinypool';

/** A bare `new Worker()` / `fork()` of a module that imports `what`, until its 'exit'; ms. */
export async function bareImportStart(runtime: 'thread' | 'process', what: FloorImport): Promise<number> {
  const module = `${what}-import.mjs`;
  const t0 = nowMs();
  const started =
    runtime === 'thread'
      ? new Worker(fixtureUrl(module))
      : fork(fixturePath(module), [], { stdio: 'inherit' });
  await once(started, 'exit');
  return nowMs() - t0;
}

type Endpoint = Worker | ChildProcess;

function post(to: Endpoint, x: number): void {
  if (to instanceof Worker) to.postMessage(x);
  else to.send(x);
}

/**
 * Two bare workers (threads or forked children, with this program's environment, as multiproc's
 * are) of a module that imports the umbrella, then: the first to say it is ready gets one number
 * and answers it. Returns the ms from the start to that answer, like a pool of 2 + first task;
 * both are ended before it resolves.
 */
export async function bareUmbrellaPool(runtime: 'thread' | 'process'): Promise<number> {
  const t0 = nowMs();
  const workers: Endpoint[] = [0, 1].map(() =>
    runtime === 'thread'
      ? new Worker(fixtureUrl('umbrella-worker.mjs'))
      : fork(fixturePath('umbrella-worker.mjs'), [], { stdio: 'inherit' }),
  );
  const exited = workers.map((w) => once(w, 'exit'));
  // Only the first worker ready gets the number: the other may be killed before its 'ready' is
  // read, and a message to a killed child fails with EPIPE.
  let asked = false;
  const answered = new Promise<void>((resolve, reject) => {
    for (const w of workers) {
      w.on('error', reject);
      w.on('message', (m: unknown) => {
        if (m === 'ready' && !asked) {
          asked = true;
          post(w, 3);
        } else if (m === 9) resolve();
      });
    }
  });
  await answered;
  const ms = nowMs() - t0;
  for (const w of workers) {
    if (w instanceof Worker) void w.terminate();
    else w.kill();
  }
  await Promise.all(exited);
  return ms;
}
