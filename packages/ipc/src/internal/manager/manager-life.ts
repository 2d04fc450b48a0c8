/**
 * How long a serving manager lives when its program lets go of it. Python's `BaseManager.start()`
 * registers a finalizer that shuts the server down once the manager object is collected; here a
 * `FinalizationRegistry` does: a manager that nothing of this thread reaches any more is shut down
 * (its socket, its socket file and its connections freed) once the garbage collector collects it.
 *
 * What reaches it (keeps it alive):
 * - the program's own references to it;
 * - every proxy this thread made by asking for an object (`m.dict()`, `await m.create()`, its
 *   typeid methods, a Condition's lock): each holds its manager, as Python's `BaseProxy._manager`.
 *   A proxy decoded here does not (one read back from a served object, or stored in one: that
 *   would keep the manager forever), as Python's rebuilt proxies hold none;
 * - a pending `serveForever()`, until `shutdown()`.
 *
 * The server, its served objects and the registered factories hold no reference to the manager.
 *
 * Once collected, it goes on serving while something could still use it (Python shuts down at
 * once, but there reference counting picks a fixed moment; here the collector's timing would make
 * it a failure of the other side at a random time):
 * - a proxy in another thread, process or program holds one of its objects (or a copy of a proxy
 *   is on its way to one): until that proxy is collected or its connection ends;
 * - a call of this thread to it waits for its answer;
 * and is shut down once none does (looked at again every {@link RECHECK_MS}).
 */
import { callsPending } from './client-registry.js';
import type { ManagerServer } from './server.js';
import type { ProxyRef } from './wire.js';

/** How often a collected manager still in use elsewhere looks again (ms). */
const RECHECK_MS = 500;
/** How long serveForever()'s timer waits between runs (ms): it only keeps the program alive. */
const KEEP_ALIVE_MS = 2 ** 30;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

// The managers serving from this thread, by server instance, weakly: what a new proxy holds.
const managers = new Map<string, WeakRef<object>>();
// A proxy's manager: kept as long as the proxy is.
const holders = new WeakMap<object, object>();
// Each server whose serveForever() waits: what ends the wait.
const forever = new Map<ManagerServer, () => void>();
const registry = new FinalizationRegistry<ManagerServer>((server) => collected(server));

/** `manager` serves `server` from this thread: shut down when `manager` is collected and unused. */
export function serveWhileReachable(manager: object, server: ManagerServer): void {
  managers.set(server.instance, new WeakRef(manager));
  registry.register(manager, server, manager);
}

/** `manager` shuts its `server` down itself (`shutdown()`): its serveForever() waits end. */
export function shutDownBy(manager: object, server: ManagerServer): void {
  server.shutdown();
  registry.unregister(manager);
  managers.delete(server.instance);
  forever.get(server)?.();
}

/** Proxy `proxy` of `ref`, made by this thread's request, keeps its manager (if served here). */
export function holdManager(proxy: object, ref: ProxyRef): void {
  const manager = ref.server === undefined ? undefined : managers.get(ref.server)?.deref();
  if (manager !== undefined) holders.set(proxy, manager);
}

/**
 * Resolves once `server` is shut down (`manager.shutdown()`), which SIGINT or SIGTERM does too;
 * meanwhile keeps the program alive, and `manager` with it.
 */
export function serveUntilShutDown(
  manager: { shutdown(): Promise<void> },
  server: ManagerServer,
): Promise<void> {
  if (server.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const earlier = forever.get(server);
    const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
    const onSignal = () => void manager.shutdown();
    for (const signal of SIGNALS) process.on(signal, onSignal);
    forever.set(server, () => {
      forever.delete(server);
      clearInterval(keepAlive);
      for (const signal of SIGNALS) process.off(signal, onSignal);
      earlier?.();
      resolve();
    });
  });
}

function collected(server: ManagerServer): void {
  managers.delete(server.instance);
  if (server.closed) return;
  if (server.refs.heldElsewhere || callsPending(server.instance)) {
    setTimeout(() => collected(server), RECHECK_MS).unref();
    return;
  }
  server.shutdown();
}
