import { fileURLToPath } from 'node:url';

// This module sits directly under src/ (or dist/ once built), one level below the app's root,
// so these URLs resolve the same from source and from compiled output.
const APP_ROOT = new URL('../', import.meta.url);

/** URL of a worker/child fixture (plain `.mjs`, runs without a loader). */
export function fixtureUrl(name: string): URL {
  return new URL(`fixtures/${name}`, APP_ROOT);
}

/** File path of a fixture, for `fork()` and the pools that want paths. */
export function fixturePath(name: string): string {
  return fileURLToPath(fixtureUrl(name));
}

/** File path of a Python script kept in the app. */
export function pythonScript(name: string): string {
  return fileURLToPath(new URL(`python/${name}`, APP_ROOT));
}

/** The app's results directory. */
export function resultsDir(): string {
  return fileURLToPath(new URL('results/', APP_ROOT));
}
