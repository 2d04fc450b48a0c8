// Running commands in the consumer project: with a clean environment (no npm_* variables from the
// pnpm/turbo run that started these tests, so npm behaves as it does for a user), bounded in time.
import { spawn } from 'node:child_process';
import { delimiter, dirname } from 'node:path';

// A program of a case takes seconds alone; with the cases side by side and every other suite of CI
// running on 2 cores, many times that.
const DEFAULT_RUN_TIMEOUT_MS = 90_000;

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

/**
 * `env` with the folder of the `node` binary put first on PATH, so `npx` and shebangs use it.
 *
 * npm finds its global npmrc from the Node that runs it (`<node folder>/../etc/npmrc`), so under a
 * Node fetched by `npx -p node@N` it would read none and lose this machine's settings (a `cafile`
 * for a registry reached through a TLS proxy: every fetch then fails with
 * SELF_SIGNED_CERT_IN_CHAIN and npm retries until the test's bound). `npmGlobalConfig`, the file the
 * CI Node's npm reads, keeps them.
 */
export function envFor(
  node: string,
  npmGlobalConfig: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env = cleanEnv({ ...extra, npm_config_globalconfig: npmGlobalConfig });
  env.PATH = `${dirname(node)}${delimiter}${env.PATH ?? ''}`;
  return env;
}

/**
 * Runs a command and resolves with its exit code and output (never rejects). The command leads its
 * own process group: at `timeoutMs` the whole group is killed (npx's `sh`, tsx and the program's
 * workers too), so a hung program cannot hold the output pipes open past its bound.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      shell: process.platform === 'win32',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => void (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
    let killed = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined)
          process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        // The group has already exited.
      }
    };
    const timer = setTimeout(() => {
      killed = true;
      killGroup();
    }, timeoutMs);
    let settled = false;
    const done = (code: number | null, error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whatever the command left running in its group (a worker a crash orphaned) goes too.
      killGroup();
      const note = killed ? `\n[killed: still running after ${timeoutMs} ms]` : '';
      resolve({
        code: error ? 1 : code,
        stdout,
        stderr: stderr + (error ? `${error.message}\n` : '') + note,
      });
    };
    child.once('error', (error) => done(null, error));
    child.once('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
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
