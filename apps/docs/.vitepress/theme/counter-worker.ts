// counter-worker.ts: a Web Worker that adds 1 to a shared Value `times` times, with or without
// the Value's Lock. The page sends it the Value encoded with encodeValue(); decodeValue() rebuilds
// it here on the same SharedArrayBuffer.
import { decodeValue, type Value } from '@multiproc/shared';

interface Job {
  counter: unknown;
  times: number;
  locked: boolean;
}

self.onmessage = (event: MessageEvent<Job>) => {
  const { times, locked } = event.data;
  const { counter } = decodeValue(event.data, 'thread') as { counter: Value<'i'> };
  const lock = counter.getLock();
  for (let i = 0; i < times; i++) {
    if (locked) lock.acquireSync(); // a worker may block; the page never does
    counter.value += 1; // read, add, write: three steps another worker can slip between
    if (locked) lock.release();
  }
  self.postMessage('done');
};
