/**
 * Python's spellings of Queue and Connection members, and other JavaScript queues' names of a
 * queue's members: reading one throws a `ValidationError` naming the multiproc spelling (see `definePythonNames()` in shared). Listener's, the managers'
 * and the proxies' are in `manager/python-names.ts`, loaded with them on their first use.
 */
import { definePythonNames } from '@multiproc/shared';
import { Connection } from './connection.js';
import { JoinableQueue } from './joinable-queue.js';
import { Queue } from './queue.js';
import { SimpleQueue } from './simple-queue.js';

const queueNames = {
  put_nowait: 'putNowait()',
  get_nowait: 'getNowait()',
  join_thread: 'joinThread()',
  cancel_join_thread: 'cancelJoinThread()',
};
definePythonNames(Queue.prototype, queueNames);
definePythonNames(SimpleQueue.prototype, queueNames);

// What other JavaScript queues (arrays, p-queue, async iterables) call these: read on a queue they
// gave `undefined` (`if (q.size > 0)` silently false) or "q is not async iterable".
const counted = (name: string) => ({
  message: `A multiproc queue has no ${name}: its item count is q.qsize() (Python's qsize()), q.empty() says whether it is empty.`,
});
const added = (name: string) => ({
  message: `A multiproc queue has no ${name}(): add an item with await q.put(value) (waits for room), or q.putNowait(value).`,
});
const taken = (name: string) => ({
  message: `A multiproc queue has no ${name}(): take the oldest item with await q.get() (waits for one), or q.getNowait().`,
});
const nodeQueueNames = {
  size: counted('size'),
  length: counted('length'),
  push: added('push'),
  add: added('add'),
  enqueue: added('enqueue'),
  shift: taken('shift'),
  pop: taken('pop'),
  dequeue: taken('dequeue'),
  [Symbol.asyncIterator]: {
    message:
      "A multiproc queue cannot be read with for await (nor can Python's be iterated): loop on " +
      'await q.get() until a stop value the producers put (Python: iter(q.get, None)), or use a ' +
      "Pipe, whose end's for await loop ends when the other end closes.",
  },
};
definePythonNames(Queue.prototype, nodeQueueNames);
definePythonNames(SimpleQueue.prototype, nodeQueueNames);
definePythonNames(JoinableQueue.prototype, { task_done: 'taskDone()' });
definePythonNames(Connection.prototype, {
  send_bytes: 'sendBytes()',
  recv_bytes: 'recvBytes()',
  recv_bytes_into: 'recvBytesInto()',
  // Python's fileno() gives the descriptor to select()/poll() on, or to pass to another process.
  fileno: {
    message:
      "fileno is Python's; a multiproc Connection has no descriptor of its own to give: wait for one or more with wait([conn], ms) or conn.poll(ms), and pass the connection itself to a worker as an argument.",
  },
});
