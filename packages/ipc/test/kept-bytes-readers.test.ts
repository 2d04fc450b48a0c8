// Big bytes a pipe's home wrote at once to readers in child processes are kept by the home until
// reported taken, in memory it reuses once they are (runtime/kept-bytes.ts). Several readers of
// one end, one of them killed mid-stream while that memory is being reused: every message is read
// once, whole and with its own content (a reused buffer rewritten under a write still queued would
// show as another message's bytes).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipe } from '@multiproc/ipc';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const fixture = await import(new URL('./fixtures/kept-bytes-readers-tasks.mjs', import.meta.url).href);
const { tasks, message, check } = fixture;

const dir = mkdtempSync(join(tmpdir(), 'mp-kept-'));
afterEach(killProcesses);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function taken(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('big bytes sent at once to several readers of one end', () => {
  it('each is read once with its content, a reader killed mid-stream', { timeout: 60_000 }, async () => {
    const N = 400;
    const SIZE = 20_000;
    const [client, server] = Pipe({ duplex: false });
    const files = [join(dir, 'a'), join(dir, 'b')] as const;
    const a = startProcess('process', tasks.readAll, [client, files[0], 0]);
    startProcess('process', tasks.readAll, [client, files[1], 1]);
    const mine: number[] = [];
    for (let i = 0; i < N; i++) {
      server.sendBytes(message(i, SIZE));
      if (i % 20 === 19) await sleep(2);
      if (i === N / 2) a.kill();
      // This program reads too, now and then.
      if (i % 50 === 0 && (await client.poll(0))) mine.push(check(await client.recvBytes()));
    }
    for (let i = 0; i < 4; i++) server.sendBytes(new Uint8Array(1)); // stops the readers
    const until = Date.now() + 30_000;
    let all: number[] = [];
    while (Date.now() < until) {
      all = [...taken(files[0]), ...taken(files[1]), ...mine];
      if (all.length >= N) break;
      while (await client.poll(0)) {
        const b = await client.recvBytes();
        if (b.byteLength >= 4) mine.push(check(b));
      }
      await sleep(50);
    }
    expect(all.filter((i) => i < 0)).toEqual([]);
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
  });
});
