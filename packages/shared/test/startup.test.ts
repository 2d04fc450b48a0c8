// Start-up cost (issue #18), guarded by what is loaded, never by timings: importing the package
// loads no public Node builtin (it also runs in browser workers), the first shared-memory object only
// node:module (its code loads on first use), and node:worker_threads (with the twenty stream modules
// it pulls in) only once an object that records its owner is made.
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
const afterLock = publicBuiltins().filter((m) => !before.has(m));
console.log(JSON.stringify({ atImport, afterEvent, afterLock }));
`;

describe('start-up loads only what is used', () => {
  it('the import loads no Node builtin; the first Lock loads node:worker_threads', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROGRAM], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 20_000,
    });
    const { atImport, afterEvent, afterLock } = JSON.parse(out);
    expect(atImport).toEqual([]);
    // On Node the first shared-memory object loads their code with require() (node:module, which
    // some Node versions have loaded already), and nothing else.
    expect(afterEvent.filter((m: string) => m !== 'NativeModule module')).toEqual([]);
    expect(afterLock).toContain('NativeModule worker_threads');
  });
});
