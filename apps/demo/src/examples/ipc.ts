/**
 * IPC: a producer/consumer `Queue`, a `Pipe` ping-pong, and a shared counter incremented by four
 * workers without a `Lock` (updates lost: the race made visible) and with one (none lost).
 */
import mp, { type ContextName } from '@multiproc/multiproc';
import { check, type Example } from '../example.js';
import { formatMs } from '../format.js';
import type { Reporter } from '../report.js';
import { tasks } from '../tasks/ipc.js';

const ITEMS = 5;
const ROUNDS = 3;
const WORKERS = 4;
const INCREMENTS = 50_000;
const START_TIMEOUT_MS = 15_000;

async function queue(context: ContextName, out: Reporter): Promise<string[]> {
  out.note(`Queue: a producer ${context} puts ${ITEMS} items (maxsize 2, so it waits for the consumer)`);
  const q = new mp.Queue<string | null>({ maxsize: 2 });
  const producer = new mp.Process({ target: tasks.produce, args: [q, ITEMS], context });
  producer.start();
  const received: string[] = [];
  for (let item = await q.get(); item !== null; item = await q.get()) {
    received.push(item);
    out.line(`  consumer got: ${item}`);
  }
  await producer.join();
  q.close();
  check(received.length === ITEMS, `the consumer got ${received.length} items, expected ${ITEMS}`);
  return received;
}

async function pipe(context: ContextName, out: Reporter): Promise<string[]> {
  out.note(`Pipe: ping-pong with a ${context}`);
  const [here, there] = mp.Pipe<string>();
  const ponger = new mp.Process({ target: tasks.pong, args: [there], context });
  ponger.start();
  there.close(); // the child has its own copy of this end, as in Python
  const replies: string[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    const started = performance.now();
    here.send(`ping ${i}`);
    const reply = await here.recv();
    replies.push(reply);
    const took = formatMs(performance.now() - started);
    out.line(
      `  sent ping ${i}, got ${reply}  (${took}${i === 1 ? ", with the worker's start-up" : ' round trip'})`,
    );
  }
  here.close(); // ends the child's loop
  await ponger.join();
  check(replies.join() === 'pong 1,pong 2,pong 3', `unexpected replies ${replies.join()}`);
  return replies;
}

async function counter(useLock: boolean): Promise<number> {
  const value = new mp.Value('i', 0);
  // The workers start together, so that they overlap; the timeout is only a safety net.
  const start = new mp.Barrier(WORKERS, { timeout: START_TIMEOUT_MS });
  // Shared memory lives in this process, so these workers are threads in any --context.
  const workers = Array.from(
    { length: WORKERS },
    () =>
      new mp.Process({
        target: tasks.increment,
        args: [value, start, INCREMENTS, useLock],
        context: 'thread',
      }),
  );
  for (const w of workers) w.start();
  // A worker that fails before the barrier would leave the others waiting: break it for them.
  await Promise.all(
    workers.map(async (w) => {
      await w.join();
      if (w.exitCode !== 0 && !start.broken) start.abort();
    }),
  );
  check(
    workers.every((w) => w.exitCode === 0),
    `a counter worker failed: exit codes ${workers.map((w) => w.exitCode).join(', ')}`,
    'run with --verbose to see its stderr',
  );
  return value.value;
}

export const ipc: Example = {
  name: 'ipc',
  title: 'IPC · Queue, Pipe, and a shared counter with and without a Lock',
  summary:
    'producer/consumer Queue, Pipe ping-pong, a Value incremented by 4 workers with and without a Lock',
  needs: ['Process', 'Queue', 'Pipe', 'Value', 'Barrier', 'Lock'],
  async run({ context, out }) {
    const received = await queue(context, out);
    const replies = await pipe(context, out);

    const expected = WORKERS * INCREMENTS;
    out.note(`Shared counter: ${WORKERS} workers each add 1, ${INCREMENTS.toLocaleString('en-US')} times`);
    if (context === 'process')
      out.note('  (shared memory cannot leave this process: these workers are threads)');
    const racy = await counter(false);
    const lost = expected - racy;
    out.line(
      `  without a lock:  ${racy.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}` +
        (lost > 0
          ? `  (${lost.toLocaleString('en-US')} updates lost to the race)`
          : '  (no update lost this time)'),
    );
    const locked = await counter(true);
    out.line(`  with getLock():  ${locked.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}`);
    check(locked === expected, `with the lock the counter reached ${locked}, expected ${expected}`);
    return {
      queue: received,
      pipe: replies,
      counter: { expected, withoutLock: racy, withLock: locked, lost },
    };
  },
};
