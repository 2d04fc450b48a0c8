// A thread's send() first tries to post its value at once (PortLink.postNow), behind the frames
// batched so far that turn. When structured clone refused the value (a Proxy, which JSON reads
// like its target; a getter that throws only when read again), the frames batched with it were
// lost: here the second sendBytes() of a turn, on either side of the pipe. Now they still go, in
// order, and the value goes as it would to a process: a copy, or SerializationError from send().
import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { sendAroundRefused } from './fixtures/scenarios.mjs';
import { killAll, startPeer } from './helpers.ts';

afterEach(killAll);

const plain = (v: unknown) => (v instanceof Uint8Array ? [...v] : v);
const ARRIVED = [[1, 2, 3], [4], { p: 1 }, 'after', [5], [6], 'after2'];
const THROWN = ['SerializationError value.x'];

describe('a value structured clone refuses, sent on a pipe with a thread at the other end', () => {
  it('from the thread: what was batched with it arrives, in order', { timeout: 20_000 }, async () => {
    const [a, b] = Pipe();
    const peer = startPeer('thread', 'sendAroundRefused', b);
    b.close();
    a.send('go');
    const got: unknown[] = [];
    for await (const v of a) got.push(plain(v));
    expect(got).toEqual(ARRIVED);
    expect(await peer.result).toEqual(THROWN);
    a.close();
  });

  it('to the thread: what was batched with it arrives, in order', { timeout: 20_000 }, async () => {
    const [a, b] = Pipe();
    const peer = startPeer('thread', 'recvAll', b);
    b.close();
    // Its copy connected: the pipe's sends may now leave at once.
    a.send('hello');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await sendAroundRefused(a)).toEqual(THROWN);
    a.close();
    const got = ((await peer.result) as unknown[]).map(plain);
    expect(got).toEqual(['hello', ...ARRIVED]);
  });
});
