/**
 * Python's spellings of Queue, Connection, Listener, manager and proxy members: reading one throws
 * a `ValidationError` naming the multiproc spelling (see `definePythonNames()` in shared).
 */
import { definePythonNames } from '@multiproc/shared';
import { Connection } from './connection.js';
import { JoinableQueue } from './joinable-queue.js';
import { Listener } from './listener.js';
import { BaseManager } from './manager/base-manager.js';
import { SyncManager } from './manager/manager.js';
import { QueueProxy } from './manager/queue-proxy.js';
import { BarrierProxy, ConditionProxy, EventProxy, SemaphoreProxy } from './manager/sync-proxies.js';
import { SynchronizedArrayProxy, SynchronizedValueProxy } from './manager/synchronized-proxies.js';
import { ArrayProxy, ValueProxy } from './manager/value-proxies.js';
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
  // Python's fileno() gives the descriptor to select()/poll() on, or to pass to another process.
  fileno: {
    message:
      "fileno is Python's; a multiproc Connection has no descriptor of its own to give: wait for one or more with wait([conn], ms) or conn.poll(ms), and pass the connection itself to a worker as an argument.",
  },
});
definePythonNames(Listener.prototype, { last_accepted: 'lastAccepted' });
definePythonNames(BaseManager.prototype, { get_server: 'getServer()' });
// Python's SyncManager serves pools (`m.Pool(4)`); multiproc's managers do not: a user's
// `register('Pool', factory)` replaces this, as Python's register replaces SyncManager.Pool.
definePythonNames(SyncManager.prototype, {
  Pool: {
    message:
      "Pool is Python's SyncManager.Pool; a multiproc manager serves no pools: make a Pool where you use it, " +
      "with `import { Pool } from '@multiproc/multiproc';` (or '@multiproc/core'), then " +
      '`const pool = new Pool({ processes: 4 })`, and pass its results (or a manager Queue) to other workers. ' +
      "To serve an object of your own as 'Pool', register('Pool', factory) first.",
  },
});
// The manager primitives (getContext('process').Event(), ...), as the thread primitives have them.
// SemaphoreProxy serves BoundedSemaphore too.
definePythonNames(EventProxy.prototype, { is_set: 'isSet()' });
definePythonNames(ConditionProxy.prototype, { wait_for: 'waitFor()', notify_all: 'notifyAll()' });
definePythonNames(SemaphoreProxy.prototype, { get_value: 'getValue()' });
definePythonNames(BarrierProxy.prototype, {
  n_waiting: {
    message:
      "n_waiting is Python's spelling; a manager Barrier's state lives in the manager: in multiproc write (await bar.state()).nWaiting.",
  },
});
// Raw manager values (`{ lock: false }`) have no lock, as the thread context's RawValue/RawArray.
definePythonNames(ValueProxy.prototype, {
  get_obj: 'await v.get()',
  get_lock: {
    message:
      'A raw value has no lock (Python: AttributeError): make the Value with a lock (the default, without { lock: false }), or use a separate Lock.',
  },
});
definePythonNames(ArrayProxy.prototype, {
  get_obj: 'await a.toArray()',
  get_lock: {
    message:
      'A raw array has no lock (Python: AttributeError): make the Array with a lock (the default, without { lock: false }), or use a separate Lock.',
  },
});
// Lock-carrying manager values (getContext('process').Value()/Array()).
definePythonNames(SynchronizedValueProxy.prototype, { get_lock: 'getLock()', get_obj: 'getObj()' });
definePythonNames(SynchronizedArrayProxy.prototype, { get_lock: 'getLock()', get_obj: 'getObj()' });
