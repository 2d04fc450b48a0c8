/**
 * Python's spellings of Queue and Connection members: reading one throws a `ValidationError`
 * naming the multiproc spelling (see `definePythonNames()` in shared). Listener's, the managers'
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
