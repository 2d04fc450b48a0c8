// A small typed array or DataView received from a pipe, a queue or a Listener's connection has a
// buffer of its own (V8's deserializer made it a window on the whole received message, so code
// reading `arr.buffer` read other bytes), here and in a child process.
import { Client, Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';
import { listen } from './net-kit.js';

const { tasks } = await import(new URL('./fixtures/net-tasks.mjs', import.meta.url).href);

const layout = (v: ArrayBufferView) => [v.byteOffset, v.buffer.byteLength, v.byteLength];

describe('a small typed array received', () => {
  afterEach(killProcesses);

  it('from a pipe, a queue and a Listener connection spans a buffer of its own', async () => {
    const [a, b] = Pipe();
    a.send({ f: new Float64Array([1, 2, 3]), text: 'x'.repeat(100) });
    expect(layout(((await b.recv()) as { f: Float64Array }).f)).toEqual([0, 24, 24]);
    const q = new Queue<DataView>();
    await q.put(new DataView(new ArrayBuffer(12)));
    expect(layout(await q.get())).toEqual([0, 12, 12]);
    const l = listen();
    const accepted = l.accept();
    const c = await Client(await l.ready());
    c.send(new Int16Array([5, 6]));
    const got = (await (await accepted).recv()) as Int16Array;
    expect([...got]).toEqual([5, 6]);
    expect(layout(got)).toEqual([0, 4, 4]);
    for (const x of [a, b, c]) x.close();
  }, 20_000);

  it('in a child process, through a queue, spans a buffer of its own', async () => {
    const [inbox, outbox] = [new Queue<unknown>(), new Queue<unknown>()];
    const p = startProcess('process', tasks.viewLayout, [inbox, outbox]);
    await inbox.put([new Uint8Array(16).fill(9), 'y'.repeat(100)]);
    expect(await outbox.get({ timeout: 15_000 })).toEqual([0, 16, 16]);
    await p.join();
  }, 30_000);
});
