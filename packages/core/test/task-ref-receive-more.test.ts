// A task reference received in a worker through the map family of a pool made there (map, starmap,
// imap, imapUnordered, mapAsync, starmapAsync) or as a value of a manager's proxy (a queue's get()
// and getNowait(), a dict's or a list's read) can be called at once: its module is imported before
// the call settles, as get()/recv()/apply() results are (task-ref-receive.test.ts), and as Python's
// unpickling imports a function's module. A module that cannot be imported fails that receive with
// ProcessError. The program's main thread imports none (tested there).
import { Pool } from '@multiproc/core';
import { Manager, Queue } from '@multiproc/ipc';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/ref-receive/more-peers.mjs';
import { poolMaker } from './helpers.js';

const newPool = poolMaker();

let maker: Pool | undefined;
afterAll(async () => {
  await maker?.terminate();
});

let keys = 0;
/** A URL of far.mjs no test used before (`more-<pid>-<n>`): no realm has imported it. */
const freshKey = (): string => `more-${process.pid}-${++keys}`;
const freshKeys = <K extends string>(names: readonly K[]): Record<K, string> =>
  Object.fromEntries(names.map((n) => [n, freshKey()])) as Record<K, string>;

const METHODS = ['map', 'starmap', 'imap', 'imapUnordered', 'mapAsync', 'starmapAsync'] as const;
const N = 20;
const AT = 7;
/** 0..N-1 with the reference's place holding what it gives for 2. */
const expected = Array.from({ length: N }, (_, i) => (i === AT ? 6 : i));
const unordered = [6, ...expected.filter((_, i) => i !== AT)];
const cannotImport = /^ProcessError: Cannot import the task module .*far\.mjs.*not importable here/;

describe.each(matrix(import.meta.url))('a task reference received in a %s worker', (context) => {
  const pool = (): Pool => newPool({ processes: 1, context });

  it('as a map-family result of a pool made there, is callable at once, in order', {
    timeout: 90_000,
  }, async () => {
    const out = await pool().apply(tasks.mapFamily, [freshKeys(METHODS), null, N, AT]);
    expect(out).toEqual({
      map: expected,
      starmap: expected,
      imap: expected,
      imapUnordered: unordered,
      mapAsync: expected,
      starmapAsync: expected,
    });
  });

  it('as a map-family result whose module throws on import, fails that call with ProcessError', {
    timeout: 90_000,
  }, async () => {
    const out = await pool().apply(tasks.mapFamily, [freshKeys(METHODS), 'worker', N, AT]);
    for (const m of METHODS) expect([m, out[m]]).toEqual([m, expect.stringMatching(cannotImport)]);
  });

  it("from a Queue's synchronous getNowait(), is not loaded, and calling it says what to do", {
    timeout: 60_000,
  }, async () => {
    const q = new Queue<unknown>();
    maker ??= new Pool({ processes: 1, initializer: tasks.markMaker });
    await q.put(await maker.apply(tasks.refOf, [freshKey(), null]));
    const said = await pool().apply(tasks.nowaitCall, [q]);
    expect(said).toMatch(/^TypeError: Task 'triple' of .*far\.mjs.* is not loaded in this thread/);
    expect(said).toMatch(/import its module first \(await import\('file:.*far\.mjs\?k=more-[\d-]+'\)\)\. /);
    expect(said).toMatch(/getNowait\(\) \(it cannot wait\)/);
    q.close();
  });

  it.each([null, 'worker'] as const)(
    "as a manager proxy's value (queue get and getNowait, dict and list reads), import throwing in: %s",
    { timeout: 60_000 },
    async (throws) => {
      const manager = Manager();
      try {
        const [q, d, l, nq] = [manager.Queue(), manager.dict(), manager.list(), manager.Queue()];
        maker ??= new Pool({ processes: 1, initializer: tasks.markMaker });
        await maker.apply(tasks.putInProxies, [q, d, l, nq, freshKeys(['q', 'd', 'l', 'nq']), throws]);
        const out = await pool().apply(tasks.readProxies, [q, d, l, nq]);
        const each = throws === null ? 6 : expect.stringMatching(cannotImport);
        expect(out).toEqual({ queueGet: each, dictGet: each, listGet: each, queueGetNowait: each });
      } finally {
        await manager.shutdown();
      }
    },
  );
});
