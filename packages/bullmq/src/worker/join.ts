/**
 * A worker joins its prefix only if every live worker there loads the same tasks: any worker of a
 * prefix takes the jobs of every pool of that prefix, so one without a job's task would fail the
 * call (`UnknownTaskError`) by lot, depending on which worker took the job.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from '@multiproc/core';
import type { Registry } from '../internal/registry.js';

/** How many task ids the refusal lists on each side. */
const LISTED = 6;

/**
 * Registers `member` (a worker serving `tasks`) in the prefix's workers zset. The entry of a
 * worker that died just now lives on until its ttl runs out: that is waited out once per worker.
 * @throws {ValidationError} when a live worker of the prefix loads other tasks.
 */
export async function joinPrefix(
  registry: Registry,
  member: string,
  tasks: readonly string[],
  ttlMs: number,
  where: string,
): Promise<void> {
  const waited = new Set<string>();
  for (;;) {
    const other = await registry.join(member, tasks, ttlMs);
    if (!other) return;
    const [theirs, msLeft] = other;
    const info = JSON.parse(theirs) as { id: string; tasks: string[] };
    if (!waited.has(info.id)) {
      waited.add(info.id);
      await sleep(Math.max(0, Number(msLeft)) + 100);
      continue;
    }
    throw disagree(registry.keys.prefix, where, info, tasks);
  }
}

function disagree(
  prefix: string,
  where: string,
  other: { id: string; tasks: string[] },
  tasks: readonly string[],
): ValidationError {
  const list = (ids: string[]) =>
    ids.length === 0
      ? 'none'
      : ids.slice(0, LISTED).join(', ') + (ids.length > LISTED ? ` (and ${ids.length - LISTED} more)` : '');
  const here = tasks.filter((t) => !other.tasks.includes(t));
  const there = other.tasks.filter((t) => !tasks.includes(t));
  return new ValidationError(
    `multiproc-worker: the workers of prefix '${prefix}' on Redis at ${where} load other task modules: ` +
      `worker ${other.id} has tasks this one lacks (${list(there)}), this one has tasks it lacks ` +
      `(${list(here)}). Every worker of a prefix takes jobs of every pool of that prefix, so calls ` +
      'would fail with UnknownTaskError whenever a worker without the task took the job. Start this ' +
      'worker with the same --tasks as the others (to deploy another set of tasks, stop the old ' +
      'workers first), or give it a prefix of its own (--prefix, and the same prefix option in the ' +
      'pools that call its tasks).',
  );
}
