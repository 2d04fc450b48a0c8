#!/usr/bin/env node
// `node ../../tools/typecheck/run.mjs <tsc arguments>`: runs TypeScript 7's compiler (native, about a
// third of 5.9's CPU on these projects, a sixth when emitting) with the arguments given, from the
// caller's folder. The packages' `typecheck` tasks (src and tests) and their builds (declarations,
// and the apps' JavaScript) use it. It lives in its own workspace package so its `tsc` never shadows
// the root's 5.9 `tsc` in `node_modules/.bin`, which the docs' typedoc and the consumer tests (the
// packed declarations checked on 5.9, 6 and 7) still use. Its declarations differ from 5.9's only
// in how they are spelled (quotes, the order of inferred union members and object properties), and
// the JavaScript it emits is the same; the builds' 5.9 run was the CI's critical path before any
// test could start (about 55 s of CPU through shared, ipc and core against 9 s).
// `--singleThreaded`: the tasks run beside the tests on 2 cores, and one thread uses about a third
// less CPU than its default parallel checkers (3.8 s against 5.7 s for the docs project).
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
