/** The objects and "still works" checks the catalogue's rows share. */
import { defineTasks, Process } from '@multiproc/core';
import { Pipe, Queue } from '@multiproc/ipc';
import { type Lock, type RLock, type Semaphore, SharedArray } from '@multiproc/shared';
import { tasks } from '../tasks.js';
import { assert, type Env } from './types.js';

export const arr = () => new SharedArray('i', [1, 2, 3]);
export const arrWorks = (a: SharedArray<'i'>) => {
  a.set(0, 7);
  assert(a.get(0) === 7, 'the array still works');
};
export const lockWorks = async (l: Lock | RLock | Semaphore) => {
  assert(await l.acquire(1000), 'the lock can still be acquired');
  l.release();
};

export const queue = () => new Queue<unknown>();
export const queueWorks = async (q: Queue<unknown>) => {
  await q.put('ok');
  assert((await q.get(1000)) === 'ok', 'the queue still delivers');
};
export const pipe = () => Pipe<unknown>();
export const pipeWorks = async ([a, b]: ReturnType<typeof pipe>) => {
  a.send('ok');
  assert((await b.recv()) === 'ok', 'the pipe still delivers');
};
export const closeBoth = ([a, b]: ReturnType<typeof pipe>) => {
  a.close();
  b.close();
};

/** A class with a method: its instances cross a worker boundary as their fields only (structured clone). */
export class Account {
  balance = 0;
  deposit(n: number) {
    this.balance += n;
  }
}
export const circular = () => {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
};

const fixture = (name: string) => new URL(`../fixtures/${name}.js`, tasks.identity.module).href;
// Refs to tasks no worker can run: they are registered here, in this thread only.
export const broken = defineTasks(fixture('throws-on-import'), { f: () => 1 });
export const missing = defineTasks(fixture('does-not-exist'), { f: () => 1 });
export const unregistered = defineTasks(tasks.identity.module, { notRegistered: () => 1 });
export const plainFunction = (x: number) => x * 2;

export const process0 = () => new Process({ target: tasks.sleep, args: [0] });
export const started = async () => {
  const p = process0();
  p.start();
  await p.join();
  return p;
};
export const poolWorks = async (_: unknown, env: Env) => {
  assert((await env.pool('thread').apply(tasks.identity, [41])) === 41, 'the pool still works');
};
