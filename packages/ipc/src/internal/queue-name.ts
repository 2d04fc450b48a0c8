/**
 * The class name a queue's messages use: the class the user holds. A `SimpleQueue` wraps a
 * `Queue`, and a bundler may rename classes, so `constructor.name` would not do.
 */
export const queueName = Symbol('multiproc.queueName');
