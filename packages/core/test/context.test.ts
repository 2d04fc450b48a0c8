import {
  ContextError,
  getAllStartMethods,
  getContext,
  getStartMethod,
  Pool,
  Process,
  setStartMethod,
} from '@multiproc/core';
import { encodeValue, SerializationError, ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/tasks.ts';

describe('contexts', () => {
  it('binds Process and Pool to a context', async () => {
    const ctx = getContext('process');
    expect(ctx.getStartMethod()).toBe('process');
    const p = new ctx.Process({ target: tasks.noop });
    expect(p).toBeInstanceOf(Process);
    expect(p.context).toBe('process');
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(p.pid).not.toBe(process.pid);
    const pool = new ctx.Pool({ processes: 1 });
    expect(pool).toBeInstanceOf(Pool);
    expect(pool.context).toBe('process');
    await pool.terminate();
    expect(getContext('process')).toBe(ctx);
    expect(getContext('thread').getStartMethod()).toBe('thread');
  });

  it('takes a context object as the context option, as Python takes Pool(context=ctx)', async () => {
    for (const name of matrix(import.meta.url)) {
      const ctx = getContext(name);
      const pool = new Pool({ processes: 1, context: ctx });
      expect(pool.context).toBe(name);
      expect(await pool.apply(tasks.sleep, [1])).toBeUndefined();
      await pool.terminate();
      const p = new Process({ target: tasks.noop, context: ctx });
      expect(p.context).toBe(name);
      p.start();
      await p.join();
      expect(p.exitCode).toBe(0);
    }
    expect(() => new Pool({ context: { name: 'fork' } as never })).toThrow(
      /Invalid option 'context' for Pool: .*getContext/,
    );
  });

  it('rejects unknown names with ContextError', () => {
    expect(() => getContext('fork' as never)).toThrow(ContextError);
    expect(() => setStartMethod('spawn' as never)).toThrow(ContextError);
  });

  it('sets the start method once, again only with force', () => {
    expect(getStartMethod()).toBe('thread');
    expect(getAllStartMethods()).toEqual(['thread', 'process']);
    setStartMethod('process');
    expect(getStartMethod()).toBe('process');
    expect(new Process({ target: tasks.noop }).context).toBe('process');
    expect(() => setStartMethod('thread')).toThrow(ContextError);
    setStartMethod('thread', { force: true });
    expect(getStartMethod()).toBe('thread');
  });

  // Python: set_start_method(None, force=True); get_start_method(allow_none=True) is None.
  it('unsets the start method with null and force, as Python does with None', () => {
    setStartMethod('process', { force: true });
    expect(getStartMethod(true)).toBe('process');
    setStartMethod(null, { force: true });
    expect(getStartMethod(true)).toBeNull();
    expect(getStartMethod()).toBe('thread');
    expect(new Process({ target: tasks.noop }).context).toBe('thread');
    setStartMethod('process'); // unset again: no force needed
    expect(() => setStartMethod(null)).toThrow(ContextError);
    setStartMethod(null, { force: true });
    setStartMethod(null); // None without force while unset: the default, now set
    expect(getStartMethod(true)).toBe('thread');
    setStartMethod(null, { force: true });
  });
  // Python: get_start_method(allow_none=True); the keyword is an options object here.
  it('getStartMethod() takes { allowNone } as well as a boolean, and refuses anything else', () => {
    setStartMethod(null, { force: true });
    expect(getStartMethod({ allowNone: true })).toBeNull();
    expect(getStartMethod({ allowNone: null })).toBe('thread');
    expect(getStartMethod({})).toBe('thread');
    expect(getStartMethod(null)).toBe('thread');
    expect(() => getStartMethod('yes' as never)).toThrow(ValidationError);
    expect(() => getStartMethod({ allow_none: true } as never)).toThrow(/allowNone/);
    expect(() => getStartMethod({ allowNone: 1 } as never)).toThrow(ValidationError);
    setStartMethod('process');
    expect(getStartMethod({ allowNone: true })).toBe('process');
    setStartMethod(null, { force: true });
  });

  // Python: ctx.get_context() is ctx, ctx.get_context('spawn') that context, ctx.set_start_method()
  // raises ValueError ("cannot set start method of concrete context"); get_context() is the default.
  it('a context object sent as an argument is refused as one, naming what to send instead', () => {
    for (const ctx of [getContext('thread'), getContext('process')]) {
      for (const [value, path] of [
        [ctx, 'args[0]'],
        [{ ctx }, 'args[0].ctx'],
      ] as const) {
        const send = () => encodeValue(value, 'thread', 'args[0]');
        expect(send).toThrow(SerializationError);
        // Not its first member's ("args[0].Barrier: it is a function", with advice about tasks).
        expect(send).toThrow(`Cannot send ${path}: it is a context object`);
        expect(send).toThrow(/call getContext\(name\) in the task/);
      }
    }
  });

  it('a context object has getContext, getAllStartMethods and a setStartMethod that throws', () => {
    const ctx = getContext('process');
    expect(ctx.getContext()).toBe(ctx);
    expect(ctx.getContext(null)).toBe(ctx);
    expect(ctx.getContext('thread')).toBe(getContext('thread'));
    expect(() => ctx.getContext('fork' as never)).toThrow(ContextError);
    expect(ctx.getAllStartMethods()).toEqual(['thread', 'process']);
    expect(() => ctx.setStartMethod('thread')).toThrow(ContextError);
    expect(getStartMethod(true)).toBeNull();
    expect(getContext()).toBe(getContext('thread'));
    expect(getContext(null)).toBe(getContext('thread'));
    setStartMethod('process');
    expect(getContext()).toBe(ctx);
    setStartMethod(null, { force: true });
  });
});
