// A big value through a manager proxy costs about its size, as through a Pipe: a 50 MiB string
// and a 50 MiB Buffer set in a dict from a child process, read back there and here, arrive whole.
// (Reassembling a frame by joining each socket read to what came before made this quadratic: a
// 32 MiB value took half a minute, a 50 MiB one never arrived.) The test's timeout is the bound.

import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks, bigValues } = await import(new URL('./fixtures/shared-ref-tasks.mjs', import.meta.url).href);

const { manager } = managerTestKit();
afterEach(killProcesses);

const MIB = 50;

describe(`${MIB} MiB values from a child process`, () => {
  it('through a manager dict: set and read back there, read here', { timeout: 60_000 }, async () => {
    const m = await manager();
    const d = m.dict();
    const p = startProcess('process', tasks.bigToDict, [d, MIB]);
    await p.join();
    expect(p.exitCode).toBe(0);
    const { text, bytes } = bigValues(MIB);
    const [gotText, gotBytes] = [(await d.get('text')) as string, (await d.get('bytes')) as Buffer];
    expect(gotText.length).toBe(text.length);
    expect(gotText === text).toBe(true);
    expect(Buffer.isBuffer(gotBytes)).toBe(true);
    expect(Buffer.compare(gotBytes, bytes)).toBe(0);
  });

  it('through a Pipe (the yardstick)', { timeout: 60_000 }, async () => {
    const [a, b] = Pipe();
    const p = startProcess('process', tasks.bigToPipe, [b, MIB]);
    const { text, bytes } = bigValues(MIB);
    expect((await a.recv()) === text).toBe(true);
    expect(Buffer.compare((await a.recv()) as Buffer, bytes)).toBe(0);
    await p.join();
    expect(p.exitCode).toBe(0);
    a.close();
    b.close();
  });
});
