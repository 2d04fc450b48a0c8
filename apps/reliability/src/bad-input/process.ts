/** Bad input to `Process`: options, lifecycle mistakes, timeouts and Python spellings. */
import { Process } from '@multiproc/core';
import { tasks } from '../tasks.js';
import { plainFunction, process0, started } from './helpers.js';
import { assert, type Case } from './types.js';

export const processCases: Case[] = [
  {
    api: 'new Process({ args: 1 })',
    input: 'args not an array',
    expect: 'ValidationError',
    says: 'args',
    run: () => new Process({ target: tasks.sleep, args: 1 as never }),
  },
  {
    api: 'new Process({ target: fn })',
    input: 'a target that is not a TaskRef',
    expect: 'ValidationError',
    says: 'defineTasks',
    run: () => new Process({ target: plainFunction as never }),
  },
  {
    api: 'new Process(task)',
    input: "Python's positional target",
    expect: 'ValidationError',
    says: 'new Process({ target',
    run: () => new Process(tasks.sleep as never),
  },
  {
    api: 'new Process({ kwargs })',
    input: "Python's kwargs",
    expect: 'ValidationError',
    says: 'args',
    run: () => new Process({ target: tasks.sleep, kwargs: { ms: 1 } } as never),
  },
  {
    api: "new Process({ context: 'fork' })",
    input: "Python's start method",
    expect: 'ValidationError',
    says: "'process'",
    run: () => new Process({ target: tasks.sleep, args: [1], context: 'fork' as never }),
  },
  {
    api: 'new Process({ daemon: "yes" })',
    input: 'daemon not a boolean',
    expect: 'ValidationError',
    says: 'daemon',
    run: () => new Process({ target: tasks.sleep, args: [1], daemon: 'yes' as never }),
  },
  {
    api: 'p.join() before start()',
    input: 'joining a process never started',
    expect: 'ProcessError',
    says: 'start()',
    async: true,
    setup: process0,
    run: (p) => p.join(),
    next: async (p) => {
      p.start();
      await p.join();
    },
  },
  {
    api: 'p.start() twice',
    input: 'a second start()',
    expect: 'ProcessError',
    says: 'twice',
    setup: started,
    run: (p) => p.start(),
    next: (p) => assert(p.exitCode === 0, 'the first run is intact'),
  },
  {
    api: 'p.join(0.5)',
    input: 'a fraction of a millisecond (valid: waits that long)',
    expect: 'works',
    async: true,
    setup: started,
    run: (p) => p.join(0.5),
    next: (p) => p.join(),
  },
  {
    api: "p.join('1s')",
    input: 'a timeout as a string',
    expect: 'ValidationError',
    says: 'Process.join()',
    async: true,
    setup: started,
    run: (p) => p.join('1s' as never),
    next: (p) => p.join(),
  },
  {
    api: 'p.start() with [() => 1]',
    input: 'an unsendable argument',
    expect: 'SerializationError',
    says: 'args[0]',
    setup: () => new Process({ target: tasks.identity, args: [() => 1] }),
    run: (p) => p.start(),
  },
  {
    api: 'p.is_alive()',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'isAlive()',
    setup: process0,
    run: (p) => p.is_alive(),
  },
  {
    api: 'p.close() then p.start()',
    input: 'a closed process',
    expect: 'ClosedError',
    setup: () => {
      const p = process0();
      p.close();
      return p;
    },
    run: (p) => p.start(),
  },
  {
    api: 'new Process({ run() {} })',
    input: 'no target (Python: a run() override, or nothing)',
    expect: 'ValidationError',
    says: 'target',
    run: () => new Process({} as never),
  },
];
