/**
 * Error classes first thrown by `@multiproc/ipc`. They extend `ProcessError` from
 * `@multiproc/shared` (each class is defined once, in the lowest package that throws it) and follow
 * its style: `name` and `code` are getters, so subclasses and re-exports keep them stable.
 */
import { ClosedError, ProcessError, registerErrorClasses, ValidationError } from '@multiproc/shared';

/**
 * `getNowait()` found the queue empty, or `get({ timeout })` waited `timeout` ms without an item.
 * Mirrors Python's `queue.Empty`.
 * @example
 * const q = new Queue();
 * try { q.getNowait(); } catch (err) { if (err instanceof QueueEmptyError) console.log(err.code); } // MP_QUEUE_EMPTY
 */
export class QueueEmptyError extends ProcessError {
  /** The class name, `'QueueEmptyError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'QueueEmptyError';
  }
  override get code(): 'MP_QUEUE_EMPTY' {
    return 'MP_QUEUE_EMPTY';
  }
}

/**
 * `putNowait()` found the queue full (`maxsize` items), or `put(v, { timeout })` waited `timeout` ms
 * for room. Mirrors Python's `queue.Full`.
 * @example
 * const q = new Queue({ maxsize: 1 });
 * q.putNowait(1);
 * try { q.putNowait(2); } catch (err) { if (err instanceof QueueFullError) console.log(err.code); } // MP_QUEUE_FULL
 */
export class QueueFullError extends ProcessError {
  /** The class name, `'QueueFullError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'QueueFullError';
  }
  override get code(): 'MP_QUEUE_FULL' {
    return 'MP_QUEUE_FULL';
  }
}

/**
 * A receive found nothing left and nobody left to send: every handle of the other end of the pipe
 * was closed, or the process that owned it exited. Mirrors Python's `EOFError` from `Connection.recv()`.
 * @example
 * const [a, b] = Pipe();
 * b.close();
 * await a.recv().catch((err) => console.log(err instanceof EOFError)); // true
 */
export class EOFError extends ProcessError {
  /** The class name, `'EOFError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'EOFError';
  }
  override get code(): 'MP_EOF' {
    return 'MP_EOF';
  }
}

/**
 * A send on a pipe end whose other end is closed everywhere: every copy of it was closed, or the
 * threads and processes holding them ended (also when the process that owns the pipe exited).
 * In the thread that holds the other end this is known at once; a copy in another thread or
 * process learns it with the next message from the pipe's home, so a send that races the close
 * may still succeed and its value is dropped, as in Python (the receiver closed before reading
 * it). A copy that has seen `EOFError` from `recv()` already knows. Queues never raise it: any
 * copy may still read what is put. Mirrors Python's `BrokenPipeError` from `Connection.send()`.
 * @example
 * const [a, b] = Pipe();
 * b.close();
 * try { a.send(1); } catch (err) { if (err instanceof BrokenPipeError) console.log(err.code); } // MP_BROKEN_PIPE
 */
export class BrokenPipeError extends ProcessError {
  /** The class name, `'BrokenPipeError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'BrokenPipeError';
  }
  /** `'MP_BROKEN_PIPE'`. */
  override get code(): 'MP_BROKEN_PIPE' {
    return 'MP_BROKEN_PIPE';
  }
}

/**
 * `recvBytes(maxlength)` received a message longer than `maxlength`. As in Python, the message is
 * dropped and this connection can no longer receive (a duplex end becomes send-only, a receive-only
 * end is closed): pass a larger `maxlength`, or none. Mirrors Python's `OSError('bad message length')`.
 * @example
 * const [a, b] = Pipe();
 * a.sendBytes(new Uint8Array(8));
 * await b.recvBytes(4).catch((err) => console.log(err.code, err.length, err.maxLength)); // MP_MESSAGE_TOO_LONG 8 4
 */
export class MessageTooLongError extends ProcessError {
  /** The class name, `'MessageTooLongError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'MessageTooLongError';
  }
  /** `'MP_MESSAGE_TOO_LONG'`. */
  override get code(): 'MP_MESSAGE_TOO_LONG' {
    return 'MP_MESSAGE_TOO_LONG';
  }
  /** The length of the message that was dropped, in bytes. */
  readonly length: number | undefined;
  /** The `maxlength` it exceeded. */
  readonly maxLength: number | undefined;
  constructor(message: string, details: { length?: number; maxLength?: number } = {}) {
    super(message);
    this.length = details.length;
    this.maxLength = details.maxLength;
  }
}

/**
 * `recvBytesInto()` was given a buffer too small for the message; the message is consumed and kept
 * in `data`. Mirrors Python's `multiprocessing.BufferTooShort`.
 * @example
 * const [a, b] = Pipe();
 * a.sendBytes(new Uint8Array(8));
 * await b.recvBytesInto(new Uint8Array(4)).catch((err) => console.log(err.data.length)); // 8
 */
export class BufferTooShortError extends ProcessError {
  /** The class name, `'BufferTooShortError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'BufferTooShortError';
  }
  override get code(): 'MP_BUFFER_TOO_SHORT' {
    return 'MP_BUFFER_TOO_SHORT';
  }
  /** The whole message that did not fit. */
  readonly data: Uint8Array;
  /** `[data]`, as Python's `BufferTooShort.args` (`err.args[0]` is the whole message). */
  get args(): [Uint8Array] {
    return [this.data];
  }
  constructor(message: string, data: Uint8Array) {
    super(message);
    this.data = data;
  }
}

/**
 * A peer failed the `authkey` challenge: the other side used a different key, answered a challenge
 * wrongly or replayed one, or was refused by it. Mirrors Python's `multiprocessing.AuthenticationError`.
 * @example
 * const listener = new Listener(undefined, { authkey: 'right' });
 * void listener.accept().catch(() => {});
 * await Client(listener.address, { authkey: 'wrong' }).catch((err) => console.log(err.code)); // MP_AUTHENTICATION
 * listener.close();
 */
export class AuthenticationError extends ProcessError {
  /** The class name, `'AuthenticationError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'AuthenticationError';
  }
  /** `'MP_AUTHENTICATION'`. */
  override get code(): 'MP_AUTHENTICATION' {
    return 'MP_AUTHENTICATION';
  }
}

/**
 * `Client()` could not connect to the address it was given: nobody listens there (`ENOENT`: no
 * socket file at that path; `ECONNREFUSED`: a socket file or port where nothing accepts), the host
 * cannot be reached or named (`ETIMEDOUT`, `EHOSTUNREACH`, `ENOTFOUND`), or this side's own limits
 * (`EMFILE`). The message names the address and what to do: start a `Listener` there first, check
 * the path or port. Mirrors the `OSError` Python's `Client()` raises (`ConnectionRefusedError`,
 * `FileNotFoundError`, `TimeoutError`).
 *
 * Its `code` is the system error's name, as on the Node.js error it replaces (which is its
 * `cause`), so `err.code === 'ECONNREFUSED'` keeps working; no other class's `code` starts with
 * `E`, so comparing it still narrows a union of error classes. `errno` is that name too, as
 * `WorkerStartError`'s (the number Node.js gives is `cause.errno`).
 * @example
 * await Client(['127.0.0.1', 1]).catch((err) => console.log(err instanceof ConnectError, err.code)); // true ECONNREFUSED
 */
export class ConnectError extends ProcessError {
  /** The class name, `'ConnectError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'ConnectError';
  }
  /** The system error's name: `'ECONNREFUSED'`, `'ENOENT'`, `'ETIMEDOUT'`, ... (see {@link errno}). */
  override get code(): `E${string}` {
    return this.errno;
  }
  /** The system error's name, as `code`. */
  readonly errno: `E${string}`;
  /** The call that failed: `'connect'`, or `'getaddrinfo'` for a host name not found. */
  readonly syscall: string;
  /** The address `Client()` was given: a Unix socket path or `[host, port]`. */
  readonly address: string | readonly [string, number];
  constructor(
    message: string,
    details: {
      errno: `E${string}`;
      syscall: string;
      address: string | readonly [string, number];
      cause: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.address = details.address;
  }
}

/**
 * The manager that serves a proxy's object has shut down, or its program ended, or it cannot be
 * reached: every call on the proxy rejects with this instead of waiting. Mirrors the `EOFError` /
 * `ConnectionRefusedError` a Python proxy raises then.
 * @example
 * const manager = Manager();
 * const d = manager.dict();
 * await manager.shutdown();
 * await d.get('x').catch((err) => console.log(err.code)); // MP_MANAGER_CLOSED
 */
export class ManagerClosedError extends ClosedError {
  /** The class name, `'ManagerClosedError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'ManagerClosedError';
  }
  /** `'MP_MANAGER_CLOSED'`. */
  override get code(): 'MP_MANAGER_CLOSED' {
    return 'MP_MANAGER_CLOSED';
  }
}

/**
 * A manager dict has no such key: `pop(key)` without a fallback on a missing key, or `popitem()`
 * on an empty dict. It extends `ValidationError`, as a list's out-of-range index does (Python's
 * `IndexError` and `KeyError` are both lookup errors). Mirrors Python's `KeyError`.
 * @example
 * const manager = Manager();
 * const d = manager.dict();
 * await d.popitem().catch((err) => console.log(err instanceof KeyError, err.code)); // true MP_KEY
 * await manager.shutdown();
 */
export class KeyError extends ValidationError {
  /** The class name, `'KeyError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'KeyError';
  }
  /** `'MP_KEY'`. */
  override get code(): 'MP_KEY' {
    return 'MP_KEY';
  }
}

// These come back from a manager, a pool task or a worker as themselves, told by class, not by name
// (@multiproc/shared's error-classes.ts).
registerErrorClasses([
  QueueEmptyError,
  QueueFullError,
  EOFError,
  BrokenPipeError,
  MessageTooLongError,
  BufferTooShortError,
  AuthenticationError,
  ConnectError,
  ManagerClosedError,
  KeyError,
]);
