/**
 * Node's `receiveMessageOnPort`, with `node:worker_threads` read at a port link's first use rather
 * than when the first-use code loads: a thread-context queue or pipe that never meets a worker needs
 * none of it (issue #18: a program's first `new Queue()` loaded it, and `stream` with it).
 */
type ReceiveOn = typeof import('node:worker_threads').receiveMessageOnPort;

let receive: ReceiveOn | undefined;

/** The next message queued on `port`, taken synchronously (`{ message }`), or undefined: none. */
export const receiveOn: ReceiveOn = (port) =>
  (receive ??= process.getBuiltinModule('node:worker_threads').receiveMessageOnPort)(port);
