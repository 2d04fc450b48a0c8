/**
 * Runs once before the test files: can the Redis tests run here? Without `redis-server` on PATH
 * and without `REDIS_URL` they are skipped, with one printed line; under `CI=true` the run fails
 * instead (CI installs redis-server).
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the Redis tests cannot run, or '' when they can. */
    redisMissing: string;
  }
}

export default function setup(project: TestProject): void {
  let why = '';
  if (!process.env.REDIS_URL) {
    try {
      execFileSync(process.env.REDIS_SERVER ?? 'redis-server', ['--version'], { stdio: 'ignore' });
    } catch {
      why = 'no redis-server on PATH and no REDIS_URL';
    }
  }
  if (why && process.env.CI === 'true')
    throw new Error(`@multiproc/bullmq tests need Redis under CI: ${why}.`);
  if (why)
    console.log(`@multiproc/bullmq: skipping the Redis tests (${why}; install redis-server to run them)`);
  project.provide('redisMissing', why);
}
