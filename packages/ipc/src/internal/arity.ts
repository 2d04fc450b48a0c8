/**
 * Refusing arguments a method does not take. JavaScript drops extra arguments silently, so a
 * timeout passed where none is taken (`jq.join(100)`, `q.getNowait(1000)`, `sq.put(v, { timeout })`)
 * was ignored: the call waited without limit, or did not wait at all. Each public method of the
 * queues and connections compares `arguments.length` with what it takes (a comparison, no array:
 * these are hot paths) and throws, or rejects, with the error shared's `tooManyArguments` makes.
 */
import { tooManyArguments as refusal, type ValidationError } from '@multiproc/shared';

const TIMEOUT = 'ms, or { timeout, block }';

/** What each method takes, and what to do instead, by `Class.method`. */
const TAKES: Readonly<Record<string, readonly [takes: string, instead?: string]>> = {
  'Queue.put': [
    `a value and an optional timeout (${TIMEOUT})`,
    "Python's put(obj, block, timeout) is put(obj, { timeout }) here, in ms, and put(obj, False) is put(obj, { block: false })",
  ],
  'Queue.putNowait': ['one value', 'it never waits: use put(value, { timeout }) to wait for room'],
  'Queue.get': [
    `an optional timeout (${TIMEOUT})`,
    "Python's get(block, timeout) is get({ timeout }) here, in ms, and get(False) is get({ block: false })",
  ],
  'Queue.getNowait': ['no argument', 'it never waits: use get({ timeout }) to wait at most ms'],
  'JoinableQueue.taskDone': ['no argument', "call it once per item got, as Python's task_done()"],
  'JoinableQueue.join': [
    'no argument',
    "it waits until every item is marked done, as Python's join() does; to wait at most ms, race it: " +
      "Promise.race([jq.join(), setTimeout(ms)]) with setTimeout from 'node:timers/promises'",
  ],
  'SimpleQueue.put': [
    'one value',
    "Python's SimpleQueue.put() takes no timeout: use a Queue for put(value, { timeout })",
  ],
  'SimpleQueue.get': [
    'no argument',
    "it always waits for an item (Python's neither takes a timeout): use a Queue for get({ timeout }) or get({ block: false })",
  ],
  'Connection.send': ['one value', 'send several as one array'],
  'Connection.sendBytes': ['a buffer, an optional offset and an optional size'],
  'Connection.recv': [
    'no argument',
    "it waits for a value, as Python's recv() does: to wait at most ms, call `if (await conn.poll(ms)) v = await conn.recv()`",
  ],
  'Connection.recvBytes': ['an optional maxlength'],
  'Connection.recvBytesInto': ['a buffer and an optional offset'],
  'Connection.poll': ['an optional timeout (ms)'],
  'new Queue': ["an optional options object ({ maxsize, schema }) or a maxsize, as Python's Queue(maxsize)"],
  'new JoinableQueue': ['an optional options object ({ maxsize, schema }) or a maxsize'],
  'new SimpleQueue': ['an optional options object ({ schema })'],
  Pipe: ["an optional options object ({ duplex, schema }) or a duplex flag, as Python's Pipe(duplex)"],
  wait: [
    'a list of objects and an optional timeout (ms)',
    'pass the objects as one array: wait([conn1, conn2], ms)',
  ],
  'new Listener': ['an optional address and an optional options object ({ authkey, backlog })'],
  'Listener.accept': [
    'no argument',
    "it waits for the next client, as Python's accept() does: to give up after ms, race it with a " +
      'timer and close() the Listener, which rejects the pending accept() with ClosedError',
  ],
  'Listener.ready': ['no argument'],
  'Listener.close': ['no argument'],
  Client: ['an address and an optional options object ({ authkey })'],
};

/**
 * The error for a call of `method` (`'Queue.getNowait'`) given `got` arguments, more than it takes,
 * or none where a value is needed (`q.put()`, `conn.send()`: Python raises `TypeError`; sending
 * `undefined` by accident hid a bug).
 * @example
 * if (arguments.length > 0) throw tooManyArguments('Queue.getNowait', arguments.length);
 */
export function tooManyArguments(method: string, got: number): ValidationError {
  const [takes, instead] = takesOf(method);
  if (got === 0)
    return refusal(
      `${method}()`,
      0,
      takes,
      'pass the value (undefined explicitly, if that is what you mean to send)',
    );
  return refusal(`${method}()`, got, takes, instead);
}

/** What `method` (`'Queue.put'`) takes, and what to do instead: the manager's queue proxy says the same. */
export function takesOf(method: string): readonly [takes: string, instead?: string] {
  return TAKES[method] ?? ['no argument'];
}

/** {@link tooManyArguments} as a rejected promise, for the methods that return one. */
export function rejectArguments<T>(method: string, got: number): Promise<T> {
  return Promise.reject(tooManyArguments(method, got));
}
