/**
 * Python's spellings of Queue and Connection members: reading one throws a `ValidationError`
 * naming the multiproc spelling (see `definePythonNames()` in shared).
 */
import { definePythonNames } from '@multiproc/shared';
import { Connection } from './connection.js';
import { JoinableQueue } from './joinable-queue.js';
import { QueueProxy } from './manager/queue-proxy.js';
import { SynchronizedArrayProxy, SynchronizedValueProxy } from './manager/synchronized-proxies.js';
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
definePythonNames(QueueProxy.prototype, {
  put_nowait: 'putNowait()',
  get_nowait: 'getNowait()',
  task_done: 'taskDone()',
});
definePythonNames(Connection.prototype, {
  send_bytes: 'sendBytes()',
  recv_bytes: 'recvBytes()',
  recv_bytes_into: 'recvBytesInto()',
});
// Lock-carrying manager values (getContext('process').Value()/Array()).
definePythonNames(SynchronizedValueProxy.prototype, { get_lock: 'getLock()', get_obj: 'getObj()' });
definePythonNames(SynchronizedArrayProxy.prototype, { get_lock: 'getLock()', get_obj: 'getObj()' });
