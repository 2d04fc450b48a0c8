// A task that posts on its worker's channel to the host (worker_threads' `parentPort` in a thread,
// `process.send()` in a child), as code written for piscina does, neither kills its worker nor
// fails a call: the message is ignored in both contexts, as Python ignores nothing of the kind
// because it has no such channel. tinypool killed a thread that did it ("Unexpected message on
// Worker") and failed the call whenever the stray message came before its reply.
import { Process } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/stray-message-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const started: Process[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
});

describe.each(matrix(import.meta.url))('a task posting on its host channel (%s)', (context) => {
  it('its calls resolve and its worker serves on', { timeout: 60_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const first = await pool.apply(t.name, []);
    for (let i = 0; i < 10; i++) {
      expect(await pool.apply(t.postThenReturn, [i, 20])).toBe(i);
    }
    expect(await pool.map(t.postThenReturn, [1, 2, 3, 4], { chunksize: 1, timeout: 20_000 })).toEqual([
      1, 2, 3, 4,
    ]);
    const late = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.apply(t.postAfterReturn, [i])));
    expect(late).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(await pool.map(t.square, [1, 2, 3])).toEqual([1, 4, 9]);
    // The same worker served every call: none was killed and replaced.
    expect(await pool.apply(t.name, [])).toBe(first);
  });

  it('a Process target that posts ends with exit code 0', { timeout: 30_000 }, async () => {
    const p = new Process({ target: t.postThenReturn, args: [1, 10], context });
    started.push(p);
    p.start();
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });
});
