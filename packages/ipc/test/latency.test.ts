// What a task sends while its code never yields (CPU-bound work reporting progress) arrives about
// when it is sent, as in Python, in both contexts: a link's batch leaves at once after a quiet
// spell and once it is about a millisecond old, not only when the sender's turn ends.
// `Process` comes from the core package's build, which turbo builds before these tests run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoinableQueue, Pipe, Queue, SimpleQueue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/latency-tasks.mjs', import.meta.url).href);

const started: any[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(context: Context, target: unknown, args: unknown[]) {
  const p = new core.Process({ target, args, context });
  started.push(p);
  p.start();
  return p;
}

interface Channel {
  /** What the worker sends on. */
  readonly theirs: unknown;
  /** Receives the next message, decoded. */
  next(): Promise<{ i: number; sentAt: number }>;
}

// How long the receiver waits for each message: without streaming it would never come (the
// sender spins until it is acknowledged), and this fails the test with a clear error instead.
const WAIT_MS = 20_000;

type Message = { i: number; sentAt: number };

function channel(kind: string): Channel {
  if (kind === 'send' || kind === 'sendBytes') {
    const [mine, theirs] = Pipe();
    const next = async (): Promise<Message> => {
      if (!(await mine.poll(WAIT_MS))) throw new Error(`nothing arrived within ${WAIT_MS} ms`);
      return kind === 'send'
        ? ((await mine.recv()) as Message)
        : JSON.parse(new TextDecoder().decode(await mine.recvBytes()));
    };
    return { theirs, next };
  }
  if (kind === 'simple') {
    const q = new SimpleQueue<Message>();
    const next = async (): Promise<Message> => {
      // SimpleQueue.get() takes no timeout (as in Python): race it against one.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`nothing arrived within ${WAIT_MS} ms`)), WAIT_MS);
      });
      try {
        return await Promise.race([q.get(), late]);
      } finally {
        clearTimeout(timer);
      }
    };
    return { theirs: q, next };
  }
  const q =
    kind === 'joinable'
      ? new JoinableQueue<Message>()
      : new Queue<Message>({ maxsize: kind === 'bounded' ? 100 : 0 });
  return { theirs: q, next: () => q.get({ timeout: WAIT_MS }) };
}

const COUNT = 4;
const SPACING_MS = 50;
/** A median delay above this is a flush that waited for a timer, not scheduling noise. */
const LATE_MS = 250;

describe.each(matrix(import.meta.url))('latency of sends from code that never yields (%s)', (context) => {
  it.each([
    ['Connection.send', 'send', 'send'],
    ['Connection.sendBytes', 'sendBytes', 'sendBytes'],
    ['Queue.putNowait', 'queue', 'putNowait'],
    ['Queue.put', 'queue', 'put'],
    ['JoinableQueue.putNowait', 'joinable', 'putNowait'],
    // From a process these ask the queue's process for room (and the task) first: the item
    // still leaves at once, not with the sender's next send.
    ['bounded Queue.putNowait', 'bounded', 'putNowait'],
    ['SimpleQueue.put', 'simple', 'put'],
  ])(
    '%s: each message arrives while the sender still spins, well within its spacing',
    async (_, kind, how) => {
      const dir = mkdtempSync(join(tmpdir(), 'mp-latency-'));
      dirs.push(dir);
      const ackFile = join(dir, 'ack');
      writeFileSync(ackFile, '');
      const { theirs, next } = channel(kind);
      const p = start(context, tasks.spinAndSend, [theirs, how, COUNT, SPACING_MS, ackFile]);
      const delays: number[] = [];
      for (let i = 0; i < COUNT; i++) {
        const m = await next();
        delays.push(Date.now() - m.sentAt);
        expect(m.i).toBe(i);
        writeFileSync(ackFile, String(i)); // the sender waits for this, spinning, before it goes on
      }
      await p.join();
      // Every message arrived before its sender yielded once: it waited for each acknowledgement.
      expect(p.exitCode).toBe(0);
      // And promptly: the acknowledgements above already prove each message left while its sender
      // spun; this bound catches a flush that waits for a slow timer. It is generous because CI runs
      // every package's suite at once on 2 cores, where the scheduler parks either thread for tens
      // of ms (medians above 40 ms were seen there).
      delays.sort((x, y) => x - y);
      expect(delays[COUNT >> 1]).toBeLessThan(LATE_MS);
    },
  );

  it('a putNowait flood from code that never yields streams, in order, until its sender is killed', async () => {
    const q = new Queue<number>();
    const p = start(context, tasks.flood, [q]);
    const got: number[] = [];
    // Without streaming, nothing would arrive before the worker yields, which it never does.
    while (got.length < 2000) got.push(await q.get({ timeout: WAIT_MS }));
    p.kill();
    await p.join();
    for (;;) {
      try {
        got.push(await q.get({ timeout: 200 }));
      } catch {
        break;
      }
    }
    // In order, no duplicates, nothing missing before the last one that arrived.
    expect(got.length).toBeGreaterThanOrEqual(2000);
    expect(got).toEqual(got.map((_, i) => i));
    q.close();
  });
});
