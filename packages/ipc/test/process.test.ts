// Connections and queues passed as `Process` arguments, in both contexts. `Process` comes from the
// core package's build (core depends on this one); turbo builds it before these tests run.
import { EOFError, Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/tasks.mjs', import.meta.url).href);

const started: any[] = [];
function start(options: Record<string, unknown>) {
  const p = new core.Process(options);
  started.push(p);
  p.start();
  return p;
}

afterEach(async () => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
});

// CI puts 1000 per producer, `npm run test:full` (see vitest.shared.ts) 5000.
const PER_PRODUCER = process.env.MULTIPROC_TESTS === 'full' ? 5000 : 1000;

describe.each(matrix(import.meta.url))('as Process args (%s)', (context) => {
  it('a pipe end echoes, and EOF follows the process end', async () => {
    const [a, b] = Pipe();
    const p = start({ target: tasks.echo, args: [b], context });
    b.close(); // Python semantics: our copy only; the child's stays open
    for (let i = 0; i < 200; i++) {
      a.send(i);
      expect(await a.recv()).toBe(i);
    }
    a.close();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('a pipe end nested in an argument works, and EOF comes when the process exits', async () => {
    const [a, b] = Pipe();
    const p = start({ target: tasks.nested, args: [{ deep: [b] }], context });
    b.close();
    expect(await a.recv()).toBe('nested ok');
    await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
    await p.join();
  });

  it('EOF comes when a process ends without using its pipe end, or crashes', async () => {
    for (const target of [tasks.ignore, tasks.crash]) {
      const [a, b] = Pipe();
      const p = start({ target, args: [b], context });
      b.close();
      await p.join();
      await expect(a.recv()).rejects.toBeInstanceOf(EOFError);
    }
  });

  it('2 producer and 2 consumer processes share a queue, counted exactly', async () => {
    const q = new Queue<[number, number] | null>();
    const results = new Queue<number>();
    const producers = [0, 1].map((id) =>
      start({ target: tasks.produce, args: [q, id, PER_PRODUCER], context }),
    );
    const consumers = [0, 1].map(() => start({ target: tasks.consume, args: [q, results], context }));
    await Promise.all(producers.map((p) => p.join()));
    await q.put(null);
    await q.put(null);
    const counts = [await results.get(), await results.get()];
    expect(counts[0]! + counts[1]!).toBe(2 * PER_PRODUCER);
    await Promise.all(consumers.map((p) => p.join()));
    // Nothing consumed comes back (no duplicate) once the consumers are gone.
    await vi.waitFor(() => expect(q.qsize()).toBe(0), { timeout: 5000 });
    await expect(q.get({ timeout: 50 })).rejects.toMatchObject({ code: 'MP_QUEUE_EMPTY' });
  }, 120_000);
});
