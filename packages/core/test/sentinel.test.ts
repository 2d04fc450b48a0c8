// Python's wait([conn, p.sentinel]): ipc's wait() takes a Process and its sentinel, ready once the
// process has ended, mixed with connections and queues, in both contexts.
import { ClosedError, Process, ProcessError, ProcessSentinel } from '@multiproc/core';
import { type Connection, Pipe, wait } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/sentinel-tasks.mjs';

const started: Process[] = [];
const pipes: Connection[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) if (p.isAlive()) await p.terminate();
  for (const c of pipes.splice(0)) c.close();
});

function pipe(): [Connection, Connection] {
  const ends = Pipe();
  pipes.push(...ends);
  return ends;
}

function start(target: unknown, args: unknown[], context: 'thread' | 'process'): Process {
  const p = new Process({ target: target as never, args: args as never, context });
  p.start();
  started.push(p);
  return p;
}

describe.each(matrix(import.meta.url))('wait() on processes in %s context', (context) => {
  it('reports the sentinel ready once the process ended, with its exit code set', async () => {
    const [mine, theirs] = pipe();
    const p = start(tasks.endWhenTold, [theirs], context);
    const sentinel = p.sentinel;
    expect(sentinel).toBeInstanceOf(ProcessSentinel);
    expect(p.sentinel).toBe(sentinel);
    expect(await wait([sentinel], 0)).toEqual([]);
    mine.send(3);
    const ready = await wait([mine, sentinel], 20_000);
    expect(ready).toEqual([sentinel]);
    expect(p.exitCode).toBe(3);
    expect(p.isAlive()).toBe(false);
    // Once ended it stays ready: a second wait answers at once.
    expect(await wait([sentinel], 0)).toEqual([sentinel]);
  }, 30_000);

  it('reports the connection, not the sentinel, when a message comes first; the Process itself is accepted', async () => {
    const [mine, theirs] = pipe();
    const p = start(tasks.speakThenWait, [theirs], context);
    const first = await wait([mine, p], 20_000);
    expect(first).toEqual([mine]);
    expect(await mine.recv()).toBe('hello');
    mine.send('go');
    expect(await wait([p], 20_000)).toEqual([p]);
    expect(p.exitCode).toBe(0);
  }, 30_000);

  it('a killed process makes its sentinel ready; a timeout resolves to [] while it runs', async () => {
    const p = start(tasks.forever, [], context);
    expect(await wait([p.sentinel], 50)).toEqual([]);
    const waiting = wait([p.sentinel], 20_000);
    p.kill();
    expect(await waiting).toEqual([p.sentinel]);
    expect(p.exitCode).toBe(-9);
  }, 30_000);
});

describe('Process.sentinel errors', () => {
  it('throws ProcessError before start() and ClosedError after close(); wait() rejects for an unstarted Process', async () => {
    const p = new Process({ target: tasks.endWhenTold, args: [null] });
    expect(() => p.sentinel).toThrow(ProcessError);
    await expect(wait([p], 10)).rejects.toBeInstanceOf(ProcessError);
    p.close();
    expect(() => p.sentinel).toThrow(ClosedError);
  });
});
