#!/usr/bin/env node
// Runs the pnpm version pinned in package.json's `packageManager`, on a machine that has only
// Node and npm: a pnpm already on PATH at that version is used as is, otherwise `npx` fetches it
// (corepack is not needed, and is not enabled by default on every Node release).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../package.json', import.meta.url);
const pinned = JSON.parse(readFileSync(root, 'utf8')).packageManager.replace(/\+.*$/, '');
const version = pinned.split('@')[1];
const args = process.argv.slice(2);

const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
const usePath = probe.status === 0 && probe.stdout.trim() === version;
const [cmd, cmdArgs] = usePath ? ['pnpm', args] : ['npx', ['-y', pinned, ...args]];
const run = spawnSync(cmd, cmdArgs, { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(run.status ?? 1);
