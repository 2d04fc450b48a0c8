import {
  ContextError,
  disableWarmStart,
  enableWarmStart,
  Process,
  SerializationError,
} from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/tasks.ts';

afterEach(() => disableWarmStart());

describe.each(['thread', 'process'] as const)('warm start in %s context', (context) => {
  it('runs processes on ready spares, replacing each one', async () => {
    enableWarmStart({ context, preload: [tasks.noop] });
    for (const code of [0, 3, 0]) {
      const p = code
        ? new Process({ target: tasks.exitWith, args: [code], context })
        : new Process({ target: tasks.noop, context });
      p.start();
      await p.join();
      expect(p.exitCode).toBe(code);
    }
  });

  it('an argument that cannot be sent fails start() and the next start still works', async () => {
    enableWarmStart({ context });
    // @ts-expect-error: noop takes no arguments; the point here is one that cannot be sent.
    const bad = new Process({ target: tasks.noop, args: [new WeakMap()], context });
    expect(() => bad.start()).toThrow(SerializationError);
    const p = new Process({ target: tasks.noop, context });
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('keeps Python exit codes for terminate() on a spare', async () => {
    enableWarmStart({ context });
    const p = new Process({ target: tasks.hang, context });
    p.start();
    await p.terminate();
    expect(p.exitCode).toBe(-15);
  });
});

describe('warm start options', () => {
  it('rejects unknown contexts', () => {
    expect(() => enableWarmStart({ context: 'fork' as never })).toThrow(ContextError);
  });
});
