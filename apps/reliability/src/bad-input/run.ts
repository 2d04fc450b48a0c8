/** Runs one catalogue row and says what it got wrong (an empty list when it passed). */
import * as core from '@multiproc/core';
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import type { Case, Env } from './types.js';

const CALL_LIMIT_MS = 30_000;
const classes = { ...shared, ...ipc, ...core } as unknown as Record<string, unknown>;

type Outcome = { threw: unknown } | { rejected: unknown } | { value: unknown } | { hung: true };

async function attempt(c: Case, subject: unknown, env: Env): Promise<Outcome> {
  let result: unknown;
  try {
    result = c.run(subject, env);
  } catch (threw) {
    return { threw };
  }
  if (!(result instanceof Promise) && typeof (result as PromiseLike<unknown>)?.then !== 'function') {
    return { value: result };
  }
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), c.limitMs ?? CALL_LIMIT_MS);
  });
  const settled = Promise.resolve(result).then(
    (value): Outcome => ({ value }),
    (rejected): Outcome => ({ rejected }),
  );
  try {
    return await Promise.race([settled, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `c` (setup, the bad call, the next valid call, teardown); returns its problems. */
export async function runCase(c: Case, env: Env): Promise<string[]> {
  const problems: string[] = [];
  const subject = c.setup ? await c.setup(env) : undefined;
  try {
    const outcome = await attempt(c, subject, env);
    if ('hung' in outcome) problems.push(`did not settle within ${c.limitMs ?? CALL_LIMIT_MS} ms`);
    else if (c.expect === 'works') {
      if ('value' in outcome) {
        try {
          c.check?.(outcome.value, subject);
        } catch (err) {
          problems.push((err as Error).message);
        }
      } else problems.push(`should work, got ${describe(outcome)}`);
    } else {
      const error = 'threw' in outcome ? outcome.threw : 'rejected' in outcome ? outcome.rejected : undefined;
      if (error === undefined) problems.push(`should fail with ${c.expect}, got ${describe(outcome)}`);
      else {
        const want = classes[c.expect] as new () => Error;
        if (!(error instanceof want)) problems.push(`should fail with ${c.expect}, got ${describe(outcome)}`);
        else if (!(error as { code?: unknown }).code) problems.push(`${c.expect} without a code`);
        if (c.says && !String((error as Error)?.message).includes(c.says)) {
          problems.push(`message should say "${c.says}": ${(error as Error)?.message}`);
        }
        if (c.async && 'threw' in outcome)
          problems.push('threw synchronously; a Promise-returning API must reject');
        if (!c.async && 'rejected' in outcome) problems.push('rejected; a sync API must throw at the call');
      }
    }
    if (c.next && problems.length === 0) {
      const next = await attempt({ ...c, run: c.next }, subject, env);
      if ('threw' in next || 'rejected' in next || 'hung' in next) {
        problems.push(`the next valid call failed: ${describe(next)}`);
      }
    }
  } finally {
    await c.teardown?.(subject as never);
  }
  return problems;
}

function describe(outcome: Outcome): string {
  if ('hung' in outcome) return 'no answer (hang)';
  if ('value' in outcome) return `success (${String(outcome.value).slice(0, 60)})`;
  const error = ('threw' in outcome ? outcome.threw : outcome.rejected) as Error;
  const how = 'threw' in outcome ? 'threw' : 'rejected with';
  return `${how} ${error?.name}: ${String(error?.message).slice(0, 160)}`;
}
