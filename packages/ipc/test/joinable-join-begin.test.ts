// A thread's JoinableQueue.join() that begins after a put in a child process resolved waits for
// that item's taskDone(), as Python's join() blocks until every item put before it began was marked
// done: also when the item was still on its way as the join began, the count reached 0 before it
// arrived, and the child was gone by the time the join's question reached the queue's home. (The
// thread read a copy in another process in the queue's shared count: its join begins at home, not
// at the count's zeros it read, which came before that item arrived.)
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { JoinableQueue, Queue } from '@multiproc/ipc';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/join-begin-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);
const dir = mkdtempSync(joinPath(tmpdir(), 'mp-join-begin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(5)) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
  }
}

describe('JoinableQueue: a thread’s join() begun after a child’s put resolved', () => {
  it('waits for that item though the count was 0 before it arrived and the child is gone', async () => {
    const jq = new JoinableQueue<string>();
    const said = new Queue<string>();
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const [ready, go, put] = ['ready', 'go', 'put'].map((f) => joinPath(dir, `${f}-${Date.now()}`));
    const child = startProcess('process', tasks.putWhenTold, [jq, ready, go, put]);
    startProcess('thread', tasks.joinAfterPut, [jq, flags, put, said]);
    await until('the child and the thread', () => existsSync(ready!) && Atomics.load(flags, 0) === 1);
    // This thread (the queue's home) reads nothing now until the thread has joined: the child's
    // 'x' stays on its way, the thread's join begins after its put resolved, the count reaches 0.
    writeFileSync(go!, 'go');
    expect(Atomics.wait(flags, 0, 1, 20_000), 'the thread joined').not.toBe('timed-out');
    await child.join();
    expect(child.exitCode).toBe(0);
    await until('the three items', () => jq.qsize() === 3);
    await sleep(100); // the child's link has ended here too
    Atomics.store(flags, 1, 1); // the join's question leaves now
    Atomics.notify(flags, 1);
    await expect(said.get({ timeout: 700 }), 'join() ended with x not marked done').rejects.toThrow();
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await jq.get({ timeout: 10_000 }));
    expect(got.sort()).toEqual(['t', 'u', 'x']); // FIFO per sender only
    jq.taskDone(); // x's
    expect(await said.get({ timeout: 10_000 })).toBe('joined');
  }, 60_000);
});
