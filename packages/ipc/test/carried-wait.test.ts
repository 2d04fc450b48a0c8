// A wait whose only possible answer is a pipe end (or queue) carried inside a value on its way (sent
// over another connection, then closed here) waits while a party that may take the value lives:
// a daemon worker (CPython's `_TestPicklingConnections.test_access` starts its child as a daemon)
// or a Listener's client in another program. Neither keeps the loop alive, and the carried copy
// has no holder known here, so the wait was judged hopeless at once: recv() rejected with
// EOFError while the daemon was about to answer (bbi28). With nobody left to take it, the
// verdict still comes (CONTRACT: a recv() never waits forever on a peer that is gone).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const PROGRAM = fileURLToPath(new URL('./fixtures/carried-wait-program.mjs', import.meta.url));

function run(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROGRAM, ...args], { timeout: 25_000 }, (err, out) =>
      err ? reject(err) : resolve(out.trim()),
    );
  });
}

describe('a wait whose answer is a pipe end or queue carried in a value on its way', () => {
  it.each(matrix(import.meta.url))(
    'is answered by a daemon %s worker that takes it',
    {
      timeout: 30_000,
    },
    async (context) => {
      expect(await run('daemon', context)).toBe('answered: all is well');
    },
  );

  it.each(matrix(import.meta.url))(
    'a get() on a queue put on another queue is answered by a daemon %s worker',
    {
      timeout: 30_000,
    },
    async (context) => {
      expect(await run('queue', context)).toBe('answered: all is well');
    },
  );

  it("is answered by a Listener's client in another program", { timeout: 30_000 }, async () => {
    expect(await run('listener', '-')).toBe('answered: all is well');
  });

  it('still rejects with EOFError when nothing left could take it', { timeout: 30_000 }, async () => {
    expect(await run('nobody', '-')).toMatch(/^EOFError Connection\.recv\(\) would wait forever/);
  });
});
