import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pythonScript } from './paths.js';
import type { Measurement } from './types.js';

const run = promisify(execFile);

let versionPromise: Promise<string | undefined> | undefined;

/** The `python3` version (`3.11.7`), or `undefined` when there is no usable `python3`. */
export function pythonVersion(): Promise<string | undefined> {
  versionPromise ??= run('python3', ['-c', 'import platform; print(platform.python_version())'])
    .then(({ stdout }) => stdout.trim())
    .catch(() => undefined);
  return versionPromise;
}

/** For `BenchCase.unavailable`: a note when python3 is missing. */
export async function pythonUnavailable(): Promise<string | undefined> {
  return (await pythonVersion()) ? undefined : 'python3 not found: Python case skipped';
}

/**
 * Runs one case of a Python script (`python3 <script> <case> <json params>`). The script does all
 * its runs itself and prints one JSON line `{"samples": [...], "extra": {...}}` as its last line.
 */
export async function runPython(
  script: string,
  caseName: string,
  params: Record<string, unknown>,
): Promise<Measurement> {
  const { stdout } = await run('python3', [pythonScript(script), caseName, JSON.stringify(params)], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 170_000, // below the harness bound per case, so no orphan outlives the run by much
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(last) as Measurement;
  if (!Array.isArray(parsed.samples)) throw new Error(`${script} ${caseName}: no samples in output`);
  return parsed;
}
