// Core registers its own error classes (and those of the shared and ipc it imports) when a worker's
// entry loads, in every pool and Process worker: reading every export of the three namespaces to
// find the `…Error` ones cost ~0.2 ms of each worker's start (issue #18). Only those are read now,
// and the table is the same.
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import * as index from '../src/index.js';
import { errorExports } from '../src/internal/error-classes.js';

/** `namespace` behind a Proxy that lists the names read from it. */
function counted(namespace: object, reads: string[]): object {
  return new Proxy(namespace, {
    get(target, key, receiver) {
      if (typeof key === 'string') reads.push(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

it('reads only the exports named …Error of each namespace', () => {
  const reads: string[] = [];
  const found = errorExports([counted(shared, reads), counted(ipc, reads), counted(index, reads)]);
  expect(reads.length).toBeGreaterThan(0);
  expect(reads.filter((name) => !name.endsWith('Error'))).toEqual([]);
  expect(found).toContain(shared.TimeoutError);
  expect(found).toContain(ipc.QueueEmptyError);
  expect(found).toContain(index.WorkerCrashedError);
});

it('finds the same classes as reading every export did', () => {
  const classes = (values: unknown[]) => new Set(shared.registerErrorClasses(values).values());
  for (const namespaces of [
    [shared, ipc, errors],
    [shared, ipc, index],
  ] as object[][]) {
    const every = Object.entries(Object.assign({}, ...namespaces) as Record<string, unknown>)
      .filter(([name]) => name.endsWith('Error'))
      .map(([, value]) => value);
    expect(classes(errorExports(namespaces))).toEqual(classes(every));
  }
});
