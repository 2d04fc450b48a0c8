// A worker holding a copy of a Pipe() end ends while its copy holds a value it read ahead and never
// handed to its code: that value is read here, from this program's own copy of the end, once, in
// order (CONTRACT, IPC: "A value is never lost silently"). A thread's copy was sent the value by
// move (the home kept nothing of it), so when the thread called process.exit() or was stopped
// (kill(), terminate()) the value was gone: 10 of 10 runs lost it (chaos60's handoff, seeds 6080
// and 6127). A child's copy over a socket lost bytes of 16 KiB or more (sendBytes() writes them
// from the sender's memory) when it called process.exit(): 5 of 5 runs.
import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/read-ahead-holder-ends-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const BIG = 20_000; // past the 16 KiB from which a socket's sendBytes() moves the caller's bytes

async function handOffAndEnd(context: 'thread' | 'process', fate: string, bytes: boolean) {
  const [client, server] = Pipe();
  const p = startProcess(context, tasks.echoThenEnd, [server, fate, bytes]);
  const first = bytes ? new Uint8Array(BIG).fill(1) : { n: 1 };
  const second = bytes ? new Uint8Array(BIG).fill(2) : { n: 2 };
  if (bytes) client.sendBytes(first as Uint8Array);
  else client.send(first);
  expect(bytes ? await client.recvBytes() : await client.recv()).toEqual(first);
  if (bytes) client.sendBytes(second as Uint8Array);
  else client.send(second);
  expect(await client.recv()).toBe('holding'); // the worker's copy holds `second`, unread
  if (fate === 'kill') p.kill();
  else if (fate === 'terminate') await p.terminate();
  await p.join(10_000);
  expect(p.exitCode).toBe(fate === 'exit' ? 3 : fate === 'kill' ? -9 : -15);
  // This program's copy of the same end takes it, and nothing else: the echoed value not again.
  expect(await server.poll(5_000)).toBe(true);
  expect(bytes ? await server.recvBytes() : await server.recv()).toEqual(second);
  expect(await server.poll()).toBe(false);
  client.close();
  server.close();
}

describe('a value read ahead by a worker that ends is read by the next reader', () => {
  it.each([
    ['its target calls process.exit()', 'exit'],
    ['kill()', 'kill'],
    ['terminate()', 'terminate'],
  ])('thread ended by %s', { timeout: 20_000 }, (_, fate) => handOffAndEnd('thread', fate, false));

  it('process: bytes of 16 KiB or more, its target calls process.exit()', { timeout: 20_000 }, () =>
    handOffAndEnd('process', 'exit', true),
  );
});
