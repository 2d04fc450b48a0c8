import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { multiproc } from './mp.js';
import { pythonVersion } from './python.js';

/** What the numbers were measured on; written to `latest.json` beside them. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  platform: string;
  totalMemoryGb: number;
  /** 1-minute load average when the run started: other work on the machine makes numbers noisy. */
  loadAverageAtStart: number;
  node: string;
  python: string | null;
  peers: Record<string, string>;
  /** The multiproc exports present in this run (the rest of the cases are pending). */
  multiprocExports: string[];
}

async function versionOf(pkg: string): Promise<string> {
  try {
    const url = new URL(`../node_modules/${pkg}/package.json`, import.meta.url);
    return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Collects the machine info. */
export async function machineInfo(): Promise<MachineInfo> {
  const peers: Record<string, string> = {};
  for (const p of ['tinypool', 'piscina', 'workerpool', 'tinybench', 'bullmq']) peers[p] = await versionOf(p);
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: Number(os.loadavg()[0]!.toFixed(2)),
    node: process.version,
    python: (await pythonVersion()) ?? null,
    peers,
    multiprocExports: Object.keys(await multiproc())
      .filter((k) => k !== 'default')
      .sort(),
  };
}
