// A manager not started yet (`new BaseManager()`, `new SyncManager()`, Python's State.INITIAL) said
// so with a bare ClosedError (`create(): the manager is not started.`): the class of "you used it
// after close()", and no word of what to do. Python asserts 'server not yet started' in _create()
// and raises ProcessError for its other state errors (start() twice: 'Already started server').
// Its factories, create(), a registered type's method and numberOfObjects() now fail with a
// ProcessError (not a ClosedError) saying to call start() (or connect()) first; start() twice,
// getServer() once started and serveForever() on a connected manager are ProcessErrors too.
// What a shut-down manager throws stays ManagerClosedError (manager-after-shut-down.test.ts).
// No worker: a few milliseconds.
import { BaseManager, ClosedError, Manager, ProcessError, SyncManager } from '@multiproc/ipc';
import { expect, it } from 'vitest';

/** What `f` threw, or what the promise it returned rejected with (`'resolved'` when neither). */
async function failure(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return 'resolved';
  } catch (err) {
    return err;
  }
}

function expectNotStarted(err: unknown, name: string): void {
  expect(err, name).toBeInstanceOf(ProcessError);
  expect(err, name).not.toBeInstanceOf(ClosedError);
  expect((err as Error).message, name).toMatch(/not started: call `await manager\.start\(\)` first/);
}

it('a manager not started: factories, create(), a type method and numberOfObjects() say to call start() first', async () => {
  for (const make of [() => new BaseManager(), () => new SyncManager()]) {
    const m = make();
    m.register('Box', () => ({ get: () => 1 }));
    const calls: [string, () => unknown][] = [
      ["create('Box')", () => m.create('Box')],
      ['Box()', () => (m as unknown as { Box(): unknown }).Box()],
      ['numberOfObjects()', () => m.numberOfObjects()],
    ];
    if (m instanceof SyncManager) {
      calls.push(['dict()', () => m.dict()], ['Lock()', () => m.Lock()], ['Queue()', () => m.Queue()]);
    }
    for (const [name, call] of calls) expectNotStarted(await failure(call), name);
    // Still usable: start() works after the refused calls.
    await m.start();
    try {
      const box = await m.create<{ get(): number }>('Box');
      expect(await box.get()).toBe(1);
    } finally {
      await m.shutdown();
    }
  }
});

it('start() twice, getServer() once started and serveForever() of a connected manager are ProcessErrors', async () => {
  const server = Manager();
  const client = new SyncManager({ address: server.address });
  try {
    for (const [name, call] of [
      ['start() again', () => server.start()],
      ['getServer() once started', () => server.getServer()],
    ] as const) {
      const err = await failure(call);
      expect(err, name).toBeInstanceOf(ProcessError);
      expect(err, name).not.toBeInstanceOf(ClosedError);
      expect((err as Error).message, name).toMatch(/already started/);
    }
    await client.connect();
    for (const [name, call] of [
      ['start() of a connected manager', () => client.start()],
      ['serveForever() of a connected manager', () => client.serveForever()],
    ] as const) {
      const err = await failure(call);
      expect(err, name).toBeInstanceOf(ProcessError);
      expect(err, name).not.toBeInstanceOf(ClosedError);
      expect((err as Error).message, name).toMatch(/connected/);
    }
  } finally {
    await client.shutdown();
    await server.shutdown();
  }
});

// shutdown() of a manager never started stays a no-op (CPython raises AttributeError there, an
// accident of its `shutdown` being set by start()): a ProcessError would break the cleanup users
// write. A `finally` after a failed start() or after an error before it would replace that error
// with ours, and `using m = new SyncManager()` disposes synchronously, so its rejection would go
// unhandled. start() after it is refused as for any manager shut down.
it('shutdown() before start() resolves; cleanup after a failed start keeps the start error', async () => {
  const idle = new SyncManager();
  await expect(idle.shutdown()).resolves.toBeUndefined();
  expect(await failure(() => idle.start())).toBeInstanceOf(ClosedError);

  const startError = new Error('initializer failed');
  const m = new SyncManager();
  const tried = failure(async () => {
    try {
      await m.start(() => {
        throw startError;
      });
    } finally {
      await m.shutdown();
    }
  });
  expect(await tried).toBe(startError);

  const early = new Error('before start');
  expect(
    await failure(async () => {
      await using unused = new SyncManager();
      throw early;
    }),
  ).toBe(early);
});
