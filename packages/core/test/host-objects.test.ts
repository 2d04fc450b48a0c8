// Engine and Node host objects that V8 serializes but another process cannot rebuild (a compiled
// WebAssembly.Module: "Unable to deserialize cloned data" in the child, which died and was
// replaced forever while the call hung; a BlockList arrives as {} on Node 22/24) and shared
// WebAssembly.Memory (tinypool's send threw an uncaught error that ended the program): each is
// refused at the sender, naming its path, by every route to another process (bbE 1-3).
import { BlockList } from 'node:net';
import { ContextError, SerializationError } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t, WASM_BYTES } from './fixtures/host-object-tasks.mjs';
import { ownedWorkers, serializationFailure } from './helpers.ts';

const own = ownedWorkers();
const WebAssembly = (globalThis as any).WebAssembly; // not in this package's lib (no DOM types)
const wasmModule = () => new WebAssembly.Module(WASM_BYTES);
const sharedMemory = () => new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });

async function contextFailure(call: Promise<unknown>): Promise<ContextError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContextError);
  expect((err as ContextError).code).toBe('MP_CONTEXT');
  return err as ContextError;
}

describe.each(matrix(import.meta.url))('host objects in the %s context', (context) => {
  it('a pool call: a Module and a shared Memory reach a thread, a process call rejects naming the argument', {
    timeout: 20_000,
  }, async () => {
    const pool = own.pool({ processes: 1, context });
    if (context === 'thread') {
      expect(await pool.apply(t.tag, [wasmModule()])).toBe('WebAssembly.Module');
      expect(await pool.apply(t.tag, [sharedMemory()])).toBe('WebAssembly.Memory');
    } else {
      const err = await serializationFailure(pool.apply(t.tag, [{ m: wasmModule() }], { timeout: 10_000 }));
      expect(err.path).toBe('args[0].m');
      expect(err.message).toContain('WebAssembly.Module');
      expect((await contextFailure(pool.apply(t.tag, [sharedMemory()]))).message).toContain('args[0]');
      expect((await serializationFailure(pool.map(t.tag, [1, wasmModule()]))).path).toBe('items[1]');
      expect((await serializationFailure(pool.apply(t.makeModule, []))).path).toBe('result');
      expect((await serializationFailure(pool.apply(t.tag, [new BlockList()]))).path).toBe('args[0]');
    }
    // Refused in both: a Memory that is not shared, a Global.
    expect(
      (await serializationFailure(pool.apply(t.tag, [1, new WebAssembly.Memory({ initial: 1 })]))).path,
    ).toBe('args[1]');
    const global = new WebAssembly.Global({ value: 'i32', mutable: true }, 1);
    expect((await serializationFailure(pool.apply(t.tag, [[global]]))).path).toBe('args[0][0]');
    expect(await pool.apply(t.echo, [7])).toBe(7); // the pool lives on
  });

  it('Process.start() refuses them for a child process, naming the argument', {
    timeout: 20_000,
  }, async () => {
    if (context === 'thread') {
      const p = own.process({ target: t.tag, args: [wasmModule(), sharedMemory()], context });
      p.start();
      await p.join(15_000);
      expect(p.exitCode).toBe(0);
      return;
    }
    const p = own.process({ target: t.tag, args: [1, wasmModule()], context });
    const err = (() => {
      try {
        p.start();
      } catch (e) {
        return e;
      }
    })() as SerializationError;
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.path).toBe('args[1]');
    const q = own.process({ target: t.tag, args: [{ mem: sharedMemory() }], context });
    expect(() => q.start()).toThrow(ContextError);
    expect(() => own.process({ target: t.tag, args: [{ mem: sharedMemory() }], context }).start()).toThrow(
      /args\[0\]\.mem/,
    );
  });
});

describe('queues and pipes, whose values may reach any process', () => {
  it('put() and send() refuse a Module or a shared Memory naming the path; nothing is taken out later', {
    timeout: 10_000,
  }, async () => {
    const q = own.queue();
    const err = await serializationFailure(q.put({ at: [wasmModule()] }));
    expect(err.path).toBe('value.at[0]');
    expect((await contextFailure(q.put(sharedMemory()))).message).toContain('value');
    expect(() => q.putNowait({ mem: sharedMemory() })).toThrow(/value\.mem/);
    const [a, b] = Pipe();
    expect(() => a.send(wasmModule())).toThrow(SerializationError);
    expect(() => a.send([sharedMemory()])).toThrow(ContextError);
    a.send('next');
    expect(await b.recv()).toBe('next');
    await q.put(1);
    expect(await q.get(1000)).toBe(1);
    expect(q.qsize()).toBe(0);
    a.close();
    b.close();
  });
});
