// An unbounded JoinableQueue's put() in a child process resolves once its item is on its way, as
// an unbounded Queue's does (no round trip to the queue's process), and a child's taskDone() for an
// item it got goes on its way too. Python's guarantee still holds: a join() that begins after such
// a put resolved (the parent learned of it through any channel: a file, another queue, a pipe, the
// child's exit) waits for that item and its taskDone(), because join() first asks every copy in
// another process to confirm what it sent (the flush barrier). A producer that is blocked, or
// killed right after its put, cannot make join() hang.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { JoinableQueue, Pipe, Queue } from '@multiproc/ipc';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/pipelined-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);
const dir = mkdtempSync(joinPath(tmpdir(), 'mp-pipelined-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (name: string) => joinPath(dir, `${name}-${++files}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
// Waits for a file, yielding (the event loop runs).
async function appears(path: string, ms = 20_000): Promise<void> {
  for (const until = Date.now() + ms; !existsSync(path); await sleep(5)) {
    if (Date.now() > until) throw new Error(`${path} never appeared`);
  }
}
// Waits for a file without yielding: this thread blocks, so the queue's home answers nothing.
function appearsBlocking(path: string, ms: number): boolean {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const until = Date.now() + ms; Date.now() < until; Atomics.wait(nap, 0, 0, 2)) {
    if (existsSync(path)) return true;
  }
  return false;
}
function joinedFlag(jq: JoinableQueue<unknown>): { joined: () => boolean; done: Promise<void> } {
  let joined = false;
  const done = jq.join().then(() => {
    joined = true;
  });
  return { joined: () => joined, done };
}
// Resolves with `p`'s value, or rejects once `ms` have passed.
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: not within ${ms} ms`)))]);
}

describe('JoinableQueue: put() in a child process resolves once on its way', () => {
  it('resolves while the queue’s thread is blocked; a join() begun once the parent knew waits for it', async () => {
    const N = 3;
    const jq = new JoinableQueue<number>();
    const [ready, go, done] = [file('ready'), file('go'), file('done')];
    startProcess('process', tasks.timedPuts, [jq, N, ready, go, done]);
    await appears(ready);
    while (jq.qsize() < 1) await sleep(5); // item 0 is here
    // This thread now answers nothing until the child says its puts resolved (through a file).
    writeFileSync(go, 'go');
    expect(appearsBlocking(done, 5000), 'put() waited for the blocked queue thread').toBe(true);
    expect(Number(readFileSync(done, 'utf8'))).toBeLessThan(1000);
    // Still without yielding: item 0 marked done leaves no task counted here yet, but items 1..N
    // were put before this join() began (the file says so): it must wait for them.
    expect(jq.getNowait()).toBe(0);
    jq.taskDone();
    const j = joinedFlag(jq);
    for (let i = 1; i <= N; i++) {
      expect(await jq.get({ timeout: 10_000 })).toBe(i);
      await turns(3);
      expect(j.joined(), `join() returned before item ${i} was marked done`).toBe(false);
      jq.taskDone();
    }
    await within(j.done, 5000, 'join()');
  }, 60_000);

  const HOW: [string, () => [unknown, () => Promise<unknown>]][] = [
    [
      'another queue',
      () => {
        const q = new Queue<string>();
        return [q, () => q.get({ timeout: 20_000 })];
      },
    ],
    [
      'a pipe',
      () => {
        const [mine, theirs] = Pipe<string>();
        return [theirs, () => mine.recv()];
      },
    ],
  ];
  it.each(HOW)(
    'a join() begun after the child said so through %s waits for its items',
    async (_, make) => {
      const N = 50;
      for (let round = 0; round < 3; round++) {
        const jq = new JoinableQueue<number | string>();
        const [how, heard] = make();
        // A big item first: its socket is still being read when 'done' comes on the other link.
        startProcess('process', tasks.putThenSay, [jq, N, how, 4 * 1024 * 1024]);
        expect(await heard()).toBe('done');
        const j = joinedFlag(jq);
        for (let i = 0; i <= N; i++) {
          await jq.get({ timeout: 10_000 });
          await turns(2);
          expect(j.joined(), `round ${round}: join() returned with item ${i} not marked done`).toBe(false);
          jq.taskDone();
        }
        await within(j.done, 5000, 'join()');
      }
    },
    60_000,
  );

  it('a join() begun after the child exited waits for its items', async () => {
    const jq = new JoinableQueue<number>();
    const p = startProcess('process', tasks.putThenSay, [jq, 20, null, 0]);
    await p.join();
    expect(p.exitCode).toBe(0);
    const j = joinedFlag(jq);
    for (let i = 0; i < 20; i++) {
      expect(await jq.get({ timeout: 10_000 })).toBe(i);
      await turns(2);
      expect(j.joined()).toBe(false);
      jq.taskDone();
    }
    await within(j.done, 5000, 'join()');
  }, 60_000);

  it('join() in a third child waits for what a producer child put before it said go', async () => {
    const N = 20;
    const jq = new JoinableQueue<number>();
    const go = new Queue<string>();
    const joined = new Queue<string>();
    startProcess('process', tasks.joinWhenTold, [jq, go, joined]);
    startProcess('process', tasks.putThenSay, [jq, N, go, 0]);
    for (let i = 0; i < N; i++) {
      expect(await jq.get({ timeout: 20_000 })).toBe(i);
      if (i < N - 1) jq.taskDone();
    }
    await sleep(300);
    expect(joined.qsize(), 'the child’s join() returned with an item not marked done').toBe(0);
    jq.taskDone();
    expect(await joined.get({ timeout: 10_000 })).toBe('joined');
  }, 60_000);
});

describe('JoinableQueue: join() cannot hang on a producer child', () => {
  it('one blocked after its put is passed over once it has sent nothing for a second', async () => {
    const jq = new JoinableQueue<string>();
    const said = file('said');
    startProcess('process', tasks.putThenBlock, [jq, said, 6000]);
    await appears(said);
    const t0 = Date.now();
    const j = joinedFlag(jq);
    expect(await jq.get({ timeout: 5000 })).toBe('last');
    jq.taskDone();
    await within(j.done, 4000, 'join() with a blocked producer');
    expect(Date.now() - t0).toBeLessThan(4000); // the child is still blocked: it never answered
  }, 60_000);

  it('one killed (SIGKILL) right after its put resolved: join() returns once what came is done', async () => {
    for (let round = 0; round < 3; round++) {
      const jq = new JoinableQueue<string>();
      const said = file('said');
      const p = startProcess('process', tasks.putThenBlock, [jq, said, 30_000]);
      await appears(said);
      const j = joinedFlag(jq); // it asks the blocked child, which never answers: its death does
      p.kill();
      await p.join();
      const got = await jq.get({ timeout: 2000 }).catch(() => null);
      if (got !== null) jq.taskDone(); // the item arrived: it counts
      await within(j.done, 3000, `round ${round}: join() after the producer was killed`);
    }
  }, 60_000);
});

describe('JoinableQueue: taskDone() in a child process for the items it got', () => {
  it('needs no answer from the blocked queue thread; a join() begun once the parent knew sees them', async () => {
    const N = 5;
    const jq = new JoinableQueue<number>();
    for (let i = 0; i < N; i++) await jq.put(i);
    const [got, mark, marked, warned] = [file('got'), file('mark'), file('marked'), file('warned')];
    startProcess('process', tasks.getThenMark, [jq, N, got, mark, marked, warned]);
    await appears(got);
    // The items' tasks are still unfinished; this thread blocks until the child marked them done.
    writeFileSync(mark, 'mark');
    expect(appearsBlocking(marked, 5000), 'taskDone() waited for the blocked queue thread').toBe(true);
    expect(Number(readFileSync(marked, 'utf8'))).toBeLessThan(1000);
    await within(jq.join(), 5000, 'join()');
    await appears(warned);
    expect(JSON.parse(readFileSync(warned, 'utf8'))).toEqual([]);
  }, 60_000);

  it('a call another holder made one too many is refused at home, with a warning in the child', async () => {
    const jq = new JoinableQueue<number>();
    for (let i = 0; i < 2; i++) await jq.put(i);
    const [got, mark, marked, warned] = [file('got'), file('mark'), file('marked'), file('warned')];
    startProcess('process', tasks.getThenMark, [jq, 2, got, mark, marked, warned, 2]);
    await appears(got);
    jq.taskDone(); // for the child's items: the count is the queue's
    jq.taskDone();
    writeFileSync(mark, 'mark');
    await appears(warned);
    expect(JSON.parse(readFileSync(warned, 'utf8'))).toEqual(['MP_TASK_DONE', 'MP_TASK_DONE']);
    await within(jq.join(), 5000, 'join()'); // the refused calls took nothing off
    await jq.put(9);
    const j = joinedFlag(jq);
    await jq.get();
    await turns(3);
    expect(j.joined()).toBe(false);
    jq.taskDone();
    await j.done;
  }, 60_000);
});
