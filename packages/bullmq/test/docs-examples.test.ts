/**
 * The examples run as written: the "Scaling out" page's (a worker loads tasks.ts, main.ts is the
 * client), the README's (one file, loaded by the worker as its task module and run as the client),
 * and the `@example` of every Pool method, each block with a pool of its own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, TASKS, type WorkerProcess } from './workers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../../apps/docs/examples/scaling-out/', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** The `@example` of each method in src/pool/pool.ts (the class's own, which needs a host, is left out). */
function methodExamples(): { method: string; code: string }[] {
  const source = readFileSync(join(HERE, '../src/pool/pool.ts'), 'utf8');
  return [
    ...source.matchAll(/^ {3}\* @example\n((?: {3}\*(?: .*)?\n)+?) {3}\*\/\n {2}(?:async )?(\w+)/gm),
  ].map(([, body, method]) => ({ method: method!, code: body!.replace(/^ {3}\* ?/gm, '') }));
}

function runTs(file: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', file],
      { cwd: ROOT, env: { ...process.env, MULTIPROC_SECRET: SECRET, ...env }, timeout: timeoutMs },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    ),
  );
}

describe.skipIf(redisMissing)('docs: scaling out', () => {
  // Each test has its own worker: every worker of a prefix should load the same task modules (one
  // that lacks a task rejects its jobs).
  let redis: RedisServer;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    redis = await startRedis({ db: 5 });
  }, 120_000);
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });
  afterAll(() => redis?.stop());

  // A worker and main.ts through tsx, 1010 jobs through Redis (imap over 1000 lines): 4.6 s of CPU
  // besides Redis's own (MULTIPROC_CPU_LOG). 32 s alone at a load of 35, 106 s beside every other
  // suite (three bullmq files at once), against the 120 s it had: it gets 240 s.
  test('main.ts prints the squares and the word count, and leaves no pool keys', async () => {
    worker = await startWorkerProcess(redis.url, ['--tasks', `${EXAMPLES}tasks.ts`]);
    const stdout = await runTs(`${EXAMPLES}main.ts`, { REDIS_URL: redis.url }, 230_000);
    // What the page shows is what Node prints, line by line.
    const guide = readFileSync(join(ROOT, 'apps/docs/guide/scaling-out.md'), 'utf8');
    const shown = /This is `main\.ts`:\n\n```ts\n[\s\S]*?\n```\n[\s\S]*?```text\n([\s\S]*?)```/.exec(
      guide,
    )![1];
    expect(stdout).toBe(shown);
    expect(worker.lines.some((l) => / job completed .* task=tasks#words /.test(l))).toBe(true);
    expect(await redis.client.keys('multiproc:pool-*')).toEqual([]);
  }, 240_000);

  test("the README's example: the worker loads the client's own file, whose isMain() block stays asleep", async () => {
    const readme = readFileSync(join(HERE, '../README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!.replace('redis://127.0.0.1:6379', redis.url);
    // Inside the package, so that '@multiproc/bullmq' resolves to this package itself.
    const dir = mkdtempSync(join(HERE, 'fixtures/.readme-'));
    const file = join(dir, 'main.ts');
    writeFileSync(file, code);
    try {
      worker = await startWorkerProcess(redis.url, ['--tasks', file, '--concurrency', '1']);
      expect((await runTs(file, {})).trim()).toBe('[ 1, 4, 9, 16, 25 ]');
      await worker.waitFor(/ job completed .* task=main#square /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('the @example of every Pool method runs', async () => {
    const examples = methodExamples();
    expect(examples.map((e) => e.method)).toEqual([
      ...['apply', 'applyAsync', 'map', 'mapAsync', 'starmap', 'starmapAsync', 'imap', 'imapUnordered'],
      ...['close', 'join', 'terminate'],
    ]);
    const blocks = examples.map(
      ({ method, code }) =>
        `{ // ${method}\nconst pool = new Pool({ connection: process.env.REDIS_URL });\n` +
        `try {\n${code}} finally {\n  await pool.terminate();\n}\n}`,
    );
    const program = [
      "import { Pool } from '@multiproc/bullmq';",
      `import { tasks } from ${JSON.stringify(TASKS)};`,
      ...blocks,
      "console.log('all examples ran');",
    ].join('\n');
    const dir = mkdtempSync(join(HERE, 'fixtures/.readme-'));
    const file = join(dir, 'examples.ts');
    writeFileSync(file, program);
    try {
      worker = await startWorkerProcess(redis.url);
      const out = await runTs(file, { REDIS_URL: redis.url });
      expect(out.trim().split('\n').at(-1)).toBe('all examples ran');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
