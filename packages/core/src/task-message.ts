/**
 * Messages from inside a running pool task to its caller: progress, partial results, logs. The
 * caller receives them through the `onMessage` option of the pool call that submitted the task.
 * (Python has no equivalent; piscina and workerpool users ask for it.)
 */

/** How the pool worker entry delivers a message for the task it is running (internal). */
export type MessageSink = (value: unknown) => boolean;

const SINK_KEY = Symbol.for('multiproc.messageSink');

/** Installs the sink for the task about to run, or clears it (internal, pool worker side). */
export function setMessageSink(sink: MessageSink | undefined): void {
  (globalThis as any)[SINK_KEY] = sink;
}

/**
 * Sends `value` to the `onMessage` callback of the pool call running this task. Returns `false`
 * (and sends nothing) outside a pool task, when the call has no `onMessage`, or when the call
 * whose task sent it is over (a timer or stream the task left behind): a message only ever
 * reaches the call whose task sent it, never the next call the worker runs.
 * @param value Anything a task could return: it travels as a result does, so an error in it keeps
 *   its class (a `TypeError`, one of this library's) and own fields (`code`), and a `URL` stays a
 *   `URL`. Plain data is sent as it is (a primitive is not even looked at).
 * @returns `true` when the message was sent to the caller, `false` when it was dropped.
 * @example
 * export const tasks = defineTasks(import.meta.url, {
 *   crunch: (n: number) => { for (let i = 0; i < n; i++) { if (i % 1000 === 0) sendToCaller({ done: i }); } return n; },
 * });
 * if (isMain()) {
 *   // only the main program makes the pool: each worker imports this module too
 *   const pool = new Pool();
 *   await pool.apply(tasks.crunch, [1e6], { onMessage: (m) => console.log(m) });
 *   pool.close();
 *   await pool.join();
 * }
 * @throws {SerializationError} when `value` cannot be sent (a function, a symbol, a `Headers`),
 *   its `path` naming the part (`message.onDone`); the same in both contexts.
 */
export function sendToCaller(value: unknown): boolean {
  const sink = (globalThis as any)[SINK_KEY] as MessageSink | undefined;
  return sink ? sink(value) : false;
}
