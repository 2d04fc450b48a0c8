#!/usr/bin/env node
// `node ../../tools/typecheck/run.mjs <tsc arguments>`: runs TypeScript 7's compiler (native, about a
// third of 5.9's CPU on these projects) with the arguments given, from the caller's folder. It lives
// in its own workspace package so its `tsc` never shadows the root's 5.9 `tsc`, which the builds use
// to emit declarations (and which also checks every package's src on the way). `--singleThreaded`:
// the tasks run beside the tests on 2 cores, and one thread uses about a third less CPU than its
// default parallel checkers (3.8 s against 5.7 s for the docs project).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = dirname(createRequire(import.meta.url).resolve('typescript/package.json'));
const run = spawnSync(
  process.execPath,
  [join(root, 'bin/tsc'), '--singleThreaded', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
