// Every error of a queue names the class the user holds: a SimpleQueue (which wraps a Queue) and a
// manager's JoinableQueue used to say "Queue" (bb11 F6); a connection's recvBytes() and
// recvBytesInto() that can never be answered said "Connection.recv()" (bbK2).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ClosedError, JoinableQueue, Manager, SimpleQueue, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { thrown } from '../../../test-support/thrown.ts';

const PROGRAM = fileURLToPath(new URL('./fixtures/queue-names.mjs', import.meta.url));

describe('queue errors name the class the user holds', () => {
  it('SimpleQueue after close(): get() and put() say SimpleQueue', async () => {
    const sq = new SimpleQueue();
    sq.close();
    const got = await thrown(() => sq.get());
    expect(got).toBeInstanceOf(ClosedError);
    expect(got.message).toContain('SimpleQueue');
    const put = await thrown(() => sq.put(1));
    expect(put).toBeInstanceOf(ClosedError);
    expect(put.message).toContain('SimpleQueue');
  });

  it("a SimpleQueue's schema failure says SimpleQueue item", async () => {
    const sq = new SimpleQueue({ schema: z.number() });
    await sq.put('not a number' as never);
    const err = await thrown(() => sq.get());
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('SimpleQueue');
    sq.close();
  });

  it("a manager's JoinableQueue names itself in a bad timeout", { timeout: 10_000 }, async () => {
    const m = Manager();
    try {
      const err = await thrown(() => m.JoinableQueue().get(Number.NaN));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain('JoinableQueue.get()');
    } finally {
      await m.shutdown();
    }
    const local = new JoinableQueue();
    local.close();
    expect((await thrown(() => local.get())).message).toContain('JoinableQueue');
  });

  it('a wait nothing can answer names the method and class (program)', {
    timeout: 30_000,
  }, async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [PROGRAM], { timeout: 25_000 }, (err, out) =>
        err ? reject(err) : resolve(out),
      );
    });
    const lines = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
    );
    expect(lines['conn-recv']).toMatch(/^EOFError Connection\.recv\(\) would wait forever/);
    expect(lines['conn-recvBytes']).toMatch(/^EOFError Connection\.recvBytes\(\) would wait forever/);
    expect(lines['conn-recvBytesInto']).toMatch(/^EOFError Connection\.recvBytesInto\(\) would wait forever/);
    expect(lines['simple-get']).toMatch(/^EOFError SimpleQueue\.get\(\) would wait forever/);
    expect(lines['joinable-get']).toMatch(/^EOFError JoinableQueue\.get\(\) would wait forever/);
    expect(lines['manager-join']).toMatch(/^EOFError JoinableQueue\.join\(\) would wait forever/);
    expect(lines['manager-get']).toMatch(/^EOFError JoinableQueue\.get\(\) would wait forever/);
  });
});
