"""Lists the public names of Python's multiprocessing that the "From Python" table must cover.

Run with `python3 data/python-names.py > data/python-multiprocessing.txt` (this copy was made with
Python 3.11, then the 3.12/3.13 additions at the end of this script were checked by hand against
the 3.13 documentation). One name per line, fully qualified.
"""
import inspect
import multiprocessing
import multiprocessing.connection
import multiprocessing.managers
import multiprocessing.pool
import multiprocessing.queues
import multiprocessing.shared_memory
import multiprocessing.sharedctypes
import multiprocessing.synchronize

names = set()


def public(obj):
    return [n for n in dir(obj) if not n.startswith('_')]


def members(prefix, cls):
    for n in public(cls):
        attr = inspect.getattr_static(cls, n)
        if isinstance(attr, type):
            continue
        names.add(f'{prefix}.{n}')


# Module-level API (what `import multiprocessing as mp` gives), as the default context exposes it.
for n in multiprocessing.__all__:
    names.add(f'multiprocessing.{n}')

ctx = multiprocessing.get_context()
# The classes and objects those functions return.
members('multiprocessing.Process', multiprocessing.Process)
members('multiprocessing.pool.Pool', multiprocessing.pool.Pool)
members('multiprocessing.pool.AsyncResult', multiprocessing.pool.AsyncResult)
members('multiprocessing.pool.IMapIterator', multiprocessing.pool.IMapIterator)
names.add('multiprocessing.pool.ThreadPool')
members('multiprocessing.queues.Queue', multiprocessing.queues.Queue)
members('multiprocessing.queues.JoinableQueue', multiprocessing.queues.JoinableQueue)
members('multiprocessing.queues.SimpleQueue', multiprocessing.queues.SimpleQueue)
members('multiprocessing.connection.Connection', multiprocessing.connection.Connection)
for n in multiprocessing.connection.__all__:
    names.add(f'multiprocessing.connection.{n}')
members('multiprocessing.connection.Listener', multiprocessing.connection.Listener)
for cls in ('Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event', 'Barrier'):
    members(f'multiprocessing.synchronize.{cls}', getattr(multiprocessing.synchronize, cls))
for n in multiprocessing.sharedctypes.__all__:
    names.add(f'multiprocessing.sharedctypes.{n}')
for n in multiprocessing.shared_memory.__all__:
    names.add(f'multiprocessing.shared_memory.{n}')
members('multiprocessing.shared_memory.SharedMemory', multiprocessing.shared_memory.SharedMemory)
members('multiprocessing.shared_memory.ShareableList', multiprocessing.shared_memory.ShareableList)
for n in multiprocessing.managers.__all__:
    names.add(f'multiprocessing.managers.{n}')
members('multiprocessing.managers.BaseManager', multiprocessing.managers.BaseManager)
members('multiprocessing.managers.SyncManager', multiprocessing.managers.SyncManager)
names.add('multiprocessing.managers.Namespace')
names.add('multiprocessing.dummy')
# Arguments, written `callable(argument)`.
for arg in ('processes', 'initializer', 'initargs', 'maxtasksperchild', 'context'):
    names.add(f'multiprocessing.Pool({arg})')
for method, args in {
    'map': ('chunksize',),
    'imap': ('chunksize',),
    'apply_async': ('callback', 'error_callback'),
    'map_async': ('callback', 'error_callback'),
}.items():
    for arg in args:
        names.add(f'multiprocessing.pool.Pool.{method}({arg})')
for arg in ('group', 'target', 'name', 'args', 'kwargs', 'daemon'):
    names.add(f'multiprocessing.Process({arg})')
names.add('multiprocessing.Pipe(duplex)')
names.add('multiprocessing.Queue(maxsize)')
names.add('multiprocessing.Value(lock)')
# Lock-like methods are attached per instance (from SemLock), so dir() of the class misses them.
for cls in ('Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition'):
    for m in ('acquire', 'release'):
        names.add(f'multiprocessing.synchronize.{cls}.{m}')

# Added by hand: 3.12 and 3.13 differences of the public surface.
names.add('multiprocessing.shared_memory.SharedMemory.track')  # 3.13: the track= parameter

for n in sorted(names):
    print(n)
