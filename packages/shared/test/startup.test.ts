// Start-up cost (issue #18), guarded by what is loaded, never by timings: importing the package
// loads no public Node builtin (it also runs in browser workers), the first shared-memory object only
// node:module (its code loads on first use), and no node:worker_threads (with the twenty stream
// modules it pulls in: ~3 ms of CPU) in the main thread even once an object that records its owner
// is made: the main thread's owner id is 1 (threadId 0), known without the module, which Node loads
// in every worker before its code runs (src/internal/node-thread.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = `
const publicBuiltins = () => process.moduleLoadList.filter((m) => /^NativeModule (?!internal\\/)/.test(m));
await import(${JSON.stringify(fileURLToPath(new URL('./fixtures/empty.mjs', import.meta.url)))});
const before = new Set(publicBuiltins());
const { Lock, Value, Event } = await import('@multiproc/shared');
const atImport = publicBuiltins().filter((m) => !before.has(m));
new Event();
new Value('i', 1, { lock: false });
const afterEvent = publicBuiltins().filter((m) => !before.has(m));
new Lock();
const { getOwnerId, Semaphore, RLock, Condition } = await import('@multiproc/shared');
new Semaphore(2);
new RLock();
new Condition();
const owner = getOwnerId();
const afterLock = publicBuiltins().filter((m) => !before.has(m));
// A worker's owner id is still its threadId + 1.
const { Worker } = await import('node:worker_threads');
const worker = new Worker(
  "Promise.all([import('node:worker_threads'), import('@multiproc/shared')]).then(([{ parentPort, threadId }, { Lock, getOwnerId }]) => {" +
    ' new Lock(); parentPort.postMessage([getOwnerId(), threadId + 1]); });',
  { eval: true },
);
const inWorker = await new Promise((resolve) => worker.once('message', resolve));
await worker.terminate();
console.log(JSON.stringify({ atImport, afterEvent, afterLock, owner, inWorker }));
`;

describe('start-up loads only what is used', () => {
  it('the import loads no Node builtin; nor does the first Lock, Semaphore, RLock or Condition in the main thread', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROGRAM], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 20_000,
    });
    const { atImport, afterEvent, afterLock, owner, inWorker } = JSON.parse(out);
    expect(atImport).toEqual([]);
    // On Node the first shared-memory object loads their code with require() (node:module, which
    // some Node versions have loaded already), and nothing else.
    expect(afterEvent.filter((m: string) => m !== 'NativeModule module')).toEqual([]);
    expect(afterLock.filter((m: string) => m !== 'NativeModule module')).toEqual([]);
    expect(owner).toBe(1);
    expect(inWorker[0]).toBe(inWorker[1]);
    expect(inWorker[0]).toBeGreaterThan(1);
  });
});
