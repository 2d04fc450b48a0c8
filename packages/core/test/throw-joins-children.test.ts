// A target that throws waits for the non-daemon Processes it started before its worker ends with
// 1, as Python's `_bootstrap` joins them (`util._exit_function` in its finally) however the target
// ends. It used to end at once, killing them with it: what they were about to send was lost.
import { Process } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/throw-children-tasks.mjs';
import { endedAfterEach } from './helpers.js';

type Context = 'thread' | 'process';
const { started, conns: pipes } = endedAfterEach();

describe.each<[Context, Context]>([
  ['thread', 'thread'],
  ['process', 'process'],
  ['thread', 'process'],
  ['process', 'thread'],
])('a %s target that throws, with a %s child', (outer, inner) => {
  it.each([false, true])('joins its non-daemon child first (a rejected promise: %s)', async (late) => {
    const [mine, theirs] = Pipe<string>();
    const [go, gate] = Pipe<string>();
    pipes.push(mine, go);
    const p = new Process({
      target: tasks.failAfterStart,
      args: [theirs, gate, inner, late],
      context: outer,
    });
    started.push(p);
    p.start();
    theirs.close();
    gate.close();
    // The target has thrown by now; its child is up, and its parent still waits for it.
    expect(await mine.recv()).toBe('up');
    expect(p.isAlive()).toBe(true);
    go.send('go');
    expect(await mine.recv()).toBe('from the grandchild');
    await p.join();
    expect(p.exitCode).toBe(1);
  });
});
