/**
 * `Process.sentinel`: what `wait()` from `@multiproc/ipc` watches for a process's end, through the
 * registered `waitable` protocol (ipc depends on nothing here).
 */
import { type WaitReadiness, waitable } from '@multiproc/ipc';
import { refuseToSend } from './internal/host-bound.js';

/**
 * A handle that `wait()` reports ready once its process has ended (returned, thrown, exited or was
 * killed), in either context. Mirrors Python's `Process.sentinel`, which is an OS handle for
 * `multiprocessing.connection.wait()`; here it is an object, the same one on every read of
 * `p.sentinel`, so `ready.includes(p.sentinel)` tells which ended.
 * @example
 * import { defineTasks, isMain, Pipe, Process, wait } from '@multiproc/multiproc';
 * export const tasks = defineTasks(import.meta.url, { work: () => {} });
 * if (isMain()) {
 *   const [parentConn, childConn] = Pipe();
 *   const p = new Process({ target: tasks.work, context: 'process' });
 *   p.start();
 *   const ready = await wait([parentConn, p.sentinel], 5000);
 *   if (ready.includes(p.sentinel)) console.log('worker ended with', p.exitCode); // worker ended with 0
 *   parentConn.close();
 *   childConn.close();
 * }
 */
export class ProcessSentinel {
  readonly #name: string;
  readonly #ended: () => boolean;
  readonly #exited: Promise<unknown>;

  /** @internal Made by `Process.sentinel`; the constructor is not public API. */
  constructor(name: string, ended: () => boolean, exited: Promise<unknown>) {
    this.#name = name;
    this.#ended = ended;
    this.#exited = exited;
  }

  /** For `wait()`: ready once the process has ended. */
  [waitable](): WaitReadiness {
    return {
      ready: () => this.#ended(),
      onReady: (listener) => {
        let listening = true;
        void this.#exited.then(() => {
          if (listening) listener();
        });
        return () => {
          listening = false;
        };
      },
    };
  }

  /** `<sentinel of Process-1>`. */
  toString(): string {
    return `<sentinel of ${this.#name}>`;
  }
}

refuseToSend(ProcessSentinel.prototype, 'ProcessSentinel');
