/**
 * A worker that is starting holds nothing: a pool left open ends with its program even while a
 * worker of it boots (a replacement for one that died, or the first ones of a new pool).
 *
 * tinypool 2.2 unrefs a new worker's thread or child, but the port it talks to the worker on (the
 * host end of a `MessageChannel`, made right after the worker's `initialize()`) gets a 'message'
 * listener at once, which refs it, and is unref'd only when the worker says it is ready. So a
 * program with nothing left to do waited for a worker's boot: ~130 ms at rest for a child, over 3 s
 * under load. That port is reachable only as it gets its listener: {@link unrefNextWorkerPort},
 * called at the end of `initialize()`, catches the next `on('message')` with tinypool's listener on
 * any `MessagePort` (in the same synchronous run of tinypool's `_addNewWorker()`, it is that port),
 * unrefs it and keeps it as the worker's ({@link workerPort}). Should tinypool's code change, the
 * hook catches nothing and ends with the run: a starting worker holds the program again, no more.
 *
 * Unref'd is safe while it starts: tinypool posts a task to a worker only once it is ready, and refs
 * the port for each task it posts; every call and every `join()`/`terminate()` holds the program
 * itself (`keep-alive.ts`).
 */

type PortPrototype = { on?: (this: object, event: string, listener: unknown) => unknown };
type Port = { ref(): void; unref(): void };

/**
 * One per program, shared by every copy of this module in it (two installs of core, ESM and CJS):
 * only one hook is ever on the prototype, and each copy finds the ports the other caught.
 */
interface HookState {
  /** Each worker's port, by tinypool's worker object. */
  readonly ports: WeakMap<object, Port>;
  /** The hook on the prototype now, if any. */
  armed: object | undefined;
  /** The worker whose port the armed hook is to catch, when known. */
  owner: object | undefined;
  /** A port caught for a worker not known yet: `whileUnrefingWorkerPorts` pairs it. */
  caught: Port | undefined;
}

const STATE = Symbol.for('multiproc.startingPort');
const state: HookState = ((globalThis as { [STATE]?: HookState })[STATE] ??= {
  ports: new WeakMap(),
  armed: undefined,
  owner: undefined,
  caught: undefined,
});
const { ports } = state;

/**
 * The port tinypool talks to `worker` on (its ref'd while tinypool has a task posted to it): the
 * adapter unrefs it while the worker runs a batch nobody waits for (a call given up).
 */
export function workerPort(worker: object | undefined): Port | undefined {
  return worker && ports.get(worker);
}

/**
 * Runs `run` (a tinypool `run()`, which may start a worker) with {@link unrefNextWorkerPort} state.armed,
 * disarmed when it returns: inside tinypool's `run()`, the only `on('message')` on a port is a new
 * worker's. Its first workers start before the pool has seen their class (`guardWorkerStarts`).
 * `workers`: tinypool's workers, oldest first; one started in `run()` is the last. `mayStart`: whether
 * `run()` may start one (the pool has fewer than its most).
 */
export function whileUnrefingWorkerPorts<T>(
  run: () => T,
  workers: () => readonly object[],
  mayStart: boolean,
): T {
  // A pool at its size starts no worker: its batches (the hot path) pay nothing.
  if (!mayStart) return run();
  const disarm = unrefNextWorkerPort();
  try {
    return run();
  } finally {
    disarm();
    if (state.caught) {
      const last = workers().at(-1);
      if (last && !ports.has(last)) ports.set(last, state.caught);
      state.caught = undefined;
    }
  }
}

/**
 * Unrefs the port the next `MessagePort.on('message', ...)` call is made on, in this synchronous
 * run: `worker`'s, when given. Returns what disarms it sooner.
 */
export function unrefNextWorkerPort(worker?: object): () => void {
  if (state.armed) {
    state.owner ??= worker;
    return () => {};
  }
  const { MessagePort } = process.getBuiltinModule('node:worker_threads');
  const proto = MessagePort.prototype as unknown as PortPrototype;
  const on = proto.on;
  if (typeof on !== 'function') return () => {};
  const own = Object.hasOwn(proto, 'on');
  const disarm = () => {
    if (state.armed !== hook) return; // this hook's run ended already
    state.armed = undefined;
    state.owner = undefined;
    if (own) proto.on = on;
    else delete proto.on;
  };
  const hook = function (this: object, event: string, listener: unknown) {
    // Only tinypool's listener on its port: Node's own 'newListener' and 'removeListener' handlers
    // of each new port, a new thread's internal port (`new Worker()`) and ours pass through.
    if (event !== 'message' || !isTinypoolListener(listener)) return on.call(this, event, listener);
    const port = this as Port;
    if (state.owner) ports.set(state.owner, port);
    else state.caught = port;
    disarm();
    const result = on.call(this, event, listener);
    port.unref();
    return result;
  };
  state.armed = hook;
  state.owner = worker;
  proto.on = hook;
  // Whatever tinypool does next runs synchronously: the hook never outlives this run.
  queueMicrotask(disarm);
  return disarm;
}

/** tinypool 2.2's listener on a worker's port: `(message) => this._handleResponse(message)`. */
function isTinypoolListener(listener: unknown): boolean {
  return (
    typeof listener === 'function' && Function.prototype.toString.call(listener).includes('_handleResponse')
  );
}
