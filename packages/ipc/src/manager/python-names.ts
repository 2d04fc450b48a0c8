/**
 * Python's spellings of Listener, manager and proxy members: reading one throws a
 * `ValidationError` naming the multiproc spelling (see `definePythonNames()` in shared). Apart
 * from `python-names.ts` (queues, Connection): this code loads on the first use of a Listener,
 * Client or manager, not of a queue.
 */
import { definePythonNames, noUsingForm } from '@multiproc/shared';
import { Listener } from '../listener.js';
import { BaseManager } from './base-manager.js';
import { LockProxy } from './lock-proxy.js';
import { SyncManager } from './manager.js';
import { QueueProxy } from './queue-proxy.js';
import { BarrierProxy, ConditionProxy, EventProxy, SemaphoreProxy } from './sync-proxies.js';
import { SynchronizedArrayProxy, SynchronizedValueProxy } from './synchronized-proxies.js';
import { ArrayProxy, ValueProxy } from './value-proxies.js';

definePythonNames(QueueProxy.prototype, {
  put_nowait: 'putNowait()',
  get_nowait: 'getNowait()',
  task_done: 'taskDone()',
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
// `using lock = m.Lock()` names withLock() as the thread ones do (not the engine's TypeError).
definePythonNames(EventProxy.prototype, { is_set: 'isSet()' });
definePythonNames(LockProxy.prototype, noUsingForm('Lock or RLock', { proxy: true }));
definePythonNames(ConditionProxy.prototype, {
  wait_for: 'waitFor()',
  notify_all: 'notifyAll()',
  ...noUsingForm('Condition', { proxy: true }),
});
definePythonNames(SemaphoreProxy.prototype, {
  get_value: 'getValue()',
  ...noUsingForm('Semaphore', { proxy: true }),
});
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
