// A task reference received in a worker in an `onMessage` value (what a task of a pool made there
// sends with sendToCaller(), also inside an object or an error's field) or in the own field of a
// task's error (apply and map) can be called at once: its module is imported first, as for results
// (task-ref-receive-more.test.ts) and as Python's unpickling imports a function's module. Messages
// still reach onMessage in the order they were sent, and the call settles after them. A module that
// cannot be imported fails the call whose message needed it with ProcessError; a task's error stays
// the task's error (its reference then says, when called, what to do). The program's main thread
// imports none: there, calling one says what to do.
import { Pool } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/ref-receive/message-peers.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

let keys = 0;
/** A URL of far.mjs no test used before (`msg-<pid>-<n>`): no realm has imported it. */
const freshKey = (): string => `msg-${process.pid}-${++keys}`;
const freshKeys = () => ({ message: freshKey(), apply: freshKey(), map: freshKey() });
const cannotImport = /^ProcessError: Cannot import the task module .*far\.mjs.*not importable here/;
const notLoaded =
  /^TypeError: Task 'triple' of .*far\.mjs.* is not loaded in this thread: import its module first/;

describe.each(matrix(import.meta.url))('a task reference received in a %s worker', (context) => {
  const pool = (): Pool => {
    const p = new Pool({ processes: 1, context });
    pools.push(p);
    return p;
  };

  it.each(matrix(import.meta.url))(
    'from a %s pool made there, in onMessage values and a task error’s field, is callable at once, in order',
    { timeout: 90_000 },
    async (inner) => {
      const out = await pool().apply(tasks.receive, [freshKeys(), null, inner]);
      expect(out).toEqual({
        result: 'done',
        messages: [1, 6, 6, 6, 3],
        applyError: ['boom', 6],
        mapError: ['boom', 6],
      });
    },
  );

  it.each(matrix(import.meta.url))(
    'from a %s pool, whose module throws on import: the onMessage call fails with ProcessError, the task error stays',
    { timeout: 90_000 },
    async (inner) => {
      const out = await pool().apply(tasks.receive, [freshKeys(), 'worker', inner]);
      expect(out.result).toMatch(cannotImport);
      expect(out.messages).toEqual([1]);
      expect(out.applyError).toEqual(['boom', expect.stringMatching(notLoaded)]);
      expect(out.mapError).toEqual(['boom', expect.stringMatching(notLoaded)]);
    },
  );
});

describe('in the program’s main thread', () => {
  it('an onMessage reference is not loaded, and calling it says what to do', {
    timeout: 60_000,
  }, async () => {
    const p = new Pool({ processes: 1, initializer: tasks.markMaker });
    pools.push(p);
    const said: string[] = [];
    await p.apply(tasks.sendRefs, [freshKey(), null], {
      onMessage: (m) => {
        if (typeof m !== 'function') return;
        try {
          said.push(String(m(2)));
        } catch (e) {
          said.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
      },
    });
    expect(said).toEqual([expect.stringMatching(notLoaded)]);
    expect(said[0]).toMatch(/onMessage/);
  });
});
