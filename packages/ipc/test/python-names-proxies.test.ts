// Python's spellings on the manager proxies of the synchronisation primitives (Event, Condition,
// Semaphore, BoundedSemaphore, Barrier: what getContext('process') gives), on a manager's Value and
// Array proxies (lockless, as Python's), on Listener and on BaseManager: reading one throws ValidationError naming the
// multiproc spelling, as it already did on the thread primitives, the queues, Connection and the
// Synchronized proxies, instead of reading `undefined` (`ev.is_set()`: "is not a function").
import { Listener, Pipe, Queue, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/python-names-tasks.mjs', import.meta.url).href);
const { cleanup, manager, start } = managerTestKit();

const read = (object: unknown, name: string): unknown => (object as Record<string, unknown>)[name];

describe("Python's spellings on manager proxies", () => {
  it('name the multiproc spelling on every primitive proxy', async () => {
    const m = await manager();
    const cases: [unknown, string, RegExp][] = [
      [m.Event(), 'is_set', /isSet\(\)/],
      [m.Condition(), 'notify_all', /notifyAll\(\)/],
      [m.Condition(), 'wait_for', /waitFor\(\)/],
      [m.Semaphore(1), 'get_value', /getValue\(\)/],
      [m.BoundedSemaphore(1), 'get_value', /getValue\(\)/],
      [m.Barrier(2), 'n_waiting', /\(await bar\.state\(\)\)\.nWaiting/],
      [m.Value('i', 1), 'get_obj', /await v\.get\(\)/],
      [m.Value('i', 1), 'get_lock', /no lock/],
      [m.Array('i', 2), 'get_obj', /await a\.toArray\(\)/],
      [m.Array('i', 2), 'get_lock', /no lock/],
      [m, 'get_server', /getServer\(\)/],
      // Python's SyncManager.Pool: a Pool of the package, with its import line.
      [m, 'Pool', /import \{ Pool \} from '@multiproc\/multiproc'/],
    ];
    for (const [object, name, message] of cases) {
      expect(() => read(object, name), name).toThrow(ValidationError);
      expect(() => read(object, name), name).toThrow(message);
    }
    // Hidden: not enumerable, so keys and console.log are as before.
    expect(Object.keys(m.Event())).not.toContain('is_set');
    expect(Object.keys(m)).not.toContain('Pool');
  });

  it("say what to use instead of a Connection's fileno()", () => {
    const [a, b] = Pipe();
    cleanup.push(() => {
      a.close();
      b.close();
    });
    expect(() => read(a, 'fileno')).toThrow(ValidationError);
    expect(() => read(b, 'fileno')).toThrow(/wait\(\[conn\], ms\) or conn\.poll\(ms\)/);
    expect(Object.keys(a)).not.toContain('fileno');
  });

  it('name lastAccepted on a Listener', () => {
    const listener = new Listener(['localhost', 0]);
    cleanup.push(() => listener.close());
    expect(() => read(listener, 'last_accepted')).toThrow(ValidationError);
    expect(() => read(listener, 'last_accepted')).toThrow(/lastAccepted/);
    expect(listener.lastAccepted).toBe(null);
  });
});

describe.each(matrix(import.meta.url))("Python's spellings on proxies a worker received (%s)", (context) => {
  it('throw there too', { timeout: 60_000 }, async () => {
    const m = await manager();
    const out = new Queue<string[]>();
    cleanup.push(() => out.close());
    const p = start(tasks.spellings, [out, m.Event(), m.Condition(), m.Semaphore(1), m.Barrier(2)], context);
    const seen = await out.get(30_000);
    await p.join(30_000);
    expect(p.exitCode).toBe(0);
    expect(seen).toEqual([
      expect.stringMatching(/^ValidationError: .*isSet\(\)/),
      expect.stringMatching(/^ValidationError: .*notifyAll\(\)/),
      expect.stringMatching(/^ValidationError: .*getValue\(\)/),
      expect.stringMatching(/^ValidationError: .*nWaiting/),
    ]);
  });
});
