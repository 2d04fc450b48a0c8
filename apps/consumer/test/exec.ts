// Running commands in the consumer project: with a clean environment (no npm_* variables from the
// pnpm/turbo run that started these tests, so npm behaves as it does for a user), bounded in time.
import { execFile } from 'node:child_process';
import { delimiter, dirname } from 'node:path';

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A copy of this environment without the package manager's npm_* variables. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_|^pnpm_|^INIT_CWD$|^NODE_OPTIONS$/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** `env` with the folder of the `node` binary put first on PATH, so `npx` and shebangs use it. */
export function envFor(node: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = cleanEnv(extra);
  env.PATH = `${dirname(node)}${delimiter}${env.PATH ?? ''}`;
  return env;
}

/** Runs a command and resolves with its exit code and output (never rejects). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? cleanEnv(),
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
        shell: process.platform === 'win32',
      },
      (err, stdout, stderr) => {
        const failure = err as (Error & { code?: unknown; killed?: boolean }) | null;
        const code = !failure ? 0 : typeof failure.code === 'number' ? failure.code : 1;
        const note = failure?.killed
          ? `\n[killed: still running after ${options.timeoutMs ?? 60_000} ms]`
          : '';
        resolve({ code, stdout, stderr: stderr + note });
      },
    );
  });
}

/** Like {@link run}, but throws with the output when the command fails. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  const ran = await run(command, args, options);
  if (ran.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
  }
  return ran;
}
