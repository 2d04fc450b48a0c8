/**
 * A worker that is starting holds nothing: a pool left open ends with its program even while a
 * worker of it boots (a replacement for one that died, or the first ones of a new pool).
 *
 * tinypool 2.2 unrefs a new worker's thread or child, but the port it talks to the worker on (the
 * host end of a `MessageChannel`, made right after the worker's `initialize()`) gets a 'message'
 * listener at once, which refs it, and is unref'd only when the worker says it is ready. So a
 * program with nothing left to do waited for a worker's boot: ~130 ms at rest for a child, over 3 s
 * under load. That port is reachable only as it gets its listener: {@link unrefNextWorkerPort},
 * called at the end of `initialize()`, catches the next `on('message')` of any `MessagePort` (in the
 * same synchronous run of tinypool's `_addNewWorker()`, it is that port) and unrefs it.
 *
 * Unref'd is safe while it starts: tinypool posts a task to a worker only once it is ready, and refs
 * the port for each task it posts; every call and every `join()`/`terminate()` holds the program
 * itself (`keep-alive.ts`).
 */

type PortPrototype = { on?: (this: object, event: string, listener: unknown) => unknown };

let armed = false;

/**
 * Runs `run` (a tinypool `run()`, which may start a worker) with {@link unrefNextWorkerPort} armed,
 * disarmed when it returns: inside tinypool's `run()`, the only `on('message')` on a port is a new
 * worker's. Its first workers start before the pool has seen their class (`guardWorkerStarts`).
 */
export function whileUnrefingWorkerPorts<T>(run: () => T): T {
  const disarm = unrefNextWorkerPort();
  try {
    return run();
  } finally {
    disarm();
  }
}

/**
 * Unrefs the port the next `MessagePort.on('message', ...)` call is made on, in this synchronous
 * run. Returns what disarms it sooner.
 */
export function unrefNextWorkerPort(): () => void {
  if (armed) return () => {};
  const { MessagePort } = process.getBuiltinModule('node:worker_threads');
  const proto = MessagePort.prototype as unknown as PortPrototype;
  const on = proto.on;
  if (typeof on !== 'function') return () => {};
  const own = Object.hasOwn(proto, 'on');
  const disarm = () => {
    if (!armed) return;
    armed = false;
    if (own) proto.on = on;
    else delete proto.on;
  };
  armed = true;
  proto.on = function (this: object, event: string, listener: unknown) {
    // Node's own 'newListener' and 'removeListener' handlers of each new port pass through.
    if (event !== 'message') return on.call(this, event, listener);
    disarm();
    const result = on.call(this, event, listener);
    (this as InstanceType<typeof MessagePort>).unref();
    return result;
  };
  // Whatever tinypool does next runs synchronously: the hook never outlives this run.
  queueMicrotask(disarm);
  return disarm;
}
