import { fileURLToPath } from 'node:url';
import {
  ContextError,
  disableWarmStart,
  enableWarmStart,
  Process,
  SerializationError,
} from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/tasks.ts';
import { tasks as preloaded } from './fixtures/warm-preload-tasks.mjs';

afterEach(() => disableWarmStart());

describe.each(matrix(import.meta.url))('warm start in %s context', (context) => {
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

  it('a preload module that fails to import is named once in a MP_PRELOAD_FAILED warning; starts go on', {
    timeout: 30_000,
  }, async () => {
    // A query makes each context's module a different one (each is warned about once per program).
    const broken = `${new URL('./fixtures/broken-module.mjs', import.meta.url).href}?${context}`;
    const warnings: Error[] = [];
    let told: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      told = resolve;
    });
    const onWarning = (w: Error) => {
      if ((w as { code?: string }).code !== 'MP_PRELOAD_FAILED') return;
      warnings.push(w);
      told();
    };
    process.on('warning', onWarning);
    try {
      enableWarmStart({ context, preload: [broken] });
      await first;
      // Two more spares preload it (each start takes one and a new one is made): no new warning.
      for (let i = 0; i < 2; i++) {
        const p = new Process({ target: tasks.noop, context });
        p.start();
        await p.join();
        expect(p.exitCode).toBe(0);
      }
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(broken);
    expect(warnings[0]!.message).toContain('top-level failure in the task module');
  });

  it.each([
    ['an absolute path (__filename, require.resolve)', fileURLToPath(preloaded.exitUnlessPreloaded.module)],
    ['a task ref', preloaded.exitUnlessPreloaded],
  ])('a preload given as %s is imported by the spare, with the env of its making', async (_, entry) => {
    // The spare is made with this env; a target whose module was not preloaded imports it with the
    // env of start() and exits 7.
    process.env.MP_PRELOAD_MARK = 'spare';
    try {
      enableWarmStart({ context, preload: [entry] });
      process.env.MP_PRELOAD_MARK = 'start';
      const p = new Process({ target: preloaded.exitUnlessPreloaded, context });
      p.start();
      await p.join();
      expect(p.exitCode).toBe(0);
    } finally {
      delete process.env.MP_PRELOAD_MARK;
    }
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
