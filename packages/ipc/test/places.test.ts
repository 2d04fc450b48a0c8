// A queue sitting where the codec used to miss it (a Map key, an array's named field, an error's
// cause) reaches a worker live, as task arguments and through a queue, in both contexts.
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/places-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

function holders(q: Queue<string>) {
  return {
    mapKey: new Map([[q, 'k']]),
    arrayField: Object.assign([1, 2], { tag: q }),
    errorCause: new Error('e', { cause: q }),
    setOfMapKeys: new Set([new Map([[q, 1]])]),
  };
}
const PLACES = Object.keys(holders(new Queue()));

async function received(q: Queue<string>): Promise<string[]> {
  const got: string[] = [];
  for (const _ of PLACES) got.push(await q.get({ timeout: 30_000 }));
  return got.sort();
}

describe.each(matrix(import.meta.url))('a queue in any place of a value (%s)', (context) => {
  it('arrives live in task arguments', async () => {
    const q = new Queue<string>();
    // Each holder is an argument of its own (an array's named fields are looked into there).
    const p = startProcess(context, tasks.fromArgs, Object.values(holders(q)));
    expect(await received(q)).toEqual([...PLACES].sort());
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('arrives live through a queue', async () => {
    const q = new Queue<string>();
    const inbox = new Queue<unknown>();
    const p = startProcess(context, tasks.fromQueue, [inbox]);
    await inbox.put(holders(q));
    expect(await received(q)).toEqual([...PLACES].sort());
    await p.join();
    expect(p.exitCode).toBe(0);
  });
});
