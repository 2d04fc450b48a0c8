// A proxy sent by a worker that calls `process.exit()` in the same turn keeps its object until
// the receiver takes the copy up, as a proxy sent otherwise does. Its pin (the count of copies
// on their way) was reported in a microtask, which never ran: the worker's connection closed
// unpinned, the manager freed the list its worker alone held, and the parent's copy failed with
// "The manager no longer serves object 1".
import { Manager, Pipe, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/sent-exit-tasks.mjs', import.meta.url).href);
const kit = managerTestKit();

describe.each(matrix(import.meta.url))('a proxy sent by a worker that exits at once (%s)', (context) => {
  it.each(['pipe', 'queue'])('reaches the receiver alive, through a %s', { timeout: 20_000 }, async (via) => {
    const manager = await kit.manager();
    const [a, b] = Pipe();
    const q = new Queue();
    kit.cleanup.push(() => {
      a.close();
      q.close();
    });
    const p = kit.start(tasks.makeSendExit, [manager.address, via === 'queue' ? q : b, via], context);
    b.close();
    await p.join();
    expect(p.exitCode).toBe(0);
    // The worker's connection is closed by now: only the copy on its way keeps the list.
    await expect(manager.numberOfObjects()).resolves.toBe(1);
    const { l } = (via === 'queue' ? await q.get() : await a.recv()) as { l: { copy(): Promise<unknown> } };
    expect(await l.copy()).toEqual(['made in the worker']);
  });
});
