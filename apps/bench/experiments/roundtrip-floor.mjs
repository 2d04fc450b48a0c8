// The floor modes of roundtrip-cpu.mjs and roundtrip-alloc.mjs: both ends of the small-object
// round trip in this one thread, over a real MessageChannel.
import { MessageChannel } from 'node:worker_threads';
import * as mp from '@multiproc/multiproc';
import { decodeValue, encodeValue } from '@multiproc/shared';

/** The bench's small object, the `i`th. */
export const item = (i) => ({ id: i, name: 'item', value: 1.5 });

/**
 * One round trip of `item(i)`, `(i) => Promise`: 'floor-pipe' sends it on a Pipe end to a thread
 * copy of the other end that echoes it; any other mode posts it on a port whose peer echoes it.
 */
export function floorRoundTrip(mode) {
  if (mode === 'floor-pipe') {
    const [a, b] = mp.Pipe();
    const copy = decodeValue(encodeValue(b, 'thread').value, 'thread');
    void (async () => {
      for (;;) copy.send(await copy.recv());
    })();
    return async (i) => {
      a.send(item(i));
      await a.recv();
    };
  }
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (m) => port2.postMessage(m));
  let answered;
  port1.on('message', (m) => answered(m));
  return (i) =>
    new Promise((resolve) => {
      answered = resolve;
      port1.postMessage(item(i));
    });
}
