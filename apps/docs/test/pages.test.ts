// Checks of the pages' content against the code and the lists kept in the repo: the From Python
// table covers every public name of Python's multiprocessing, and the errors page every class.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bullmq from '@multiproc/bullmq';
import * as core from '@multiproc/core';
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { DOCS, REPO } from './project.ts';

const page = (slug: string) => readFileSync(join(DOCS, 'guide', `${slug}.md`), 'utf8');

/** `multiprocessing.pool.Pool.map` -> `Pool.map`: how the table writes a name. */
export function shortName(name: string): string {
  return name
    .replace(/^multiprocessing\./, '')
    .replace(/^pool\.(Pool|AsyncResult|IMapIterator)\b/, '$1')
    .replace(/^queues\./, '')
    .replace(/^synchronize\./, '')
    .replace(/^connection\.Connection\./, 'Connection.');
}

/** The first cells of the tables after the "Every name" heading. */
function tableNames(markdown: string): string[] {
  const section = markdown.slice(markdown.indexOf('## Every name'));
  return [...section.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]!);
}

describe('From Python', () => {
  const python = readFileSync(join(DOCS, 'data/python-multiprocessing.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(shortName);
  const rows = tableNames(page('from-python'));

  it('has a row for every public name of Python multiprocessing', () => {
    expect(python.length).toBeGreaterThan(200);
    expect(python.filter((name) => !rows.includes(name))).toEqual([]);
  });

  it('has one row per name, so no two rows answer differently', () => {
    expect(rows.filter((name, i) => rows.indexOf(name) !== i)).toEqual([]);
  });

  it('has no row for a name Python does not have', () => {
    expect(rows.filter((name) => !python.includes(name))).toEqual([]);
  });

  it('marks managers, Listener and Client as provided', () => {
    const rows = page('from-python')
      .split('\n')
      .filter((l) => /^\| `(Manager|managers\.BaseManager|connection\.(Listener|Client))` +\|/.test(l));
    expect(rows).toHaveLength(4);
    for (const line of rows) expect(line).not.toMatch(/\| (planned|not provided) +\|/);
  });
});

describe('Errors page', () => {
  const errors = page('errors');
  const classes = new Map<string, { code: string }>();
  for (const mod of [shared, ipc, core, bullmq] as Record<string, unknown>[]) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        classes.set(name, Object.create(value.prototype) as { code: string });
      }
    }
  }

  it('lists every error class with its code', () => {
    expect(classes.size).toBeGreaterThanOrEqual(17);
    for (const [name, proto] of classes) {
      // ConnectError's code is the system error's (an instance's own): its row lists them.
      const code = name === 'ConnectError' ? '`ECONNREFUSED`, `ENOENT`, …' : `\`${proto.code}\``;
      expect(errors, name).toMatch(new RegExp(`^\\| \`${name}\` +\\| ${code} +\\|`, 'm'));
    }
  });

  it('lists every process warning code the packages emit', () => {
    const codes = new Set<string>();
    for (const pkg of ['shared', 'ipc', 'core', 'bullmq']) {
      const src = join(REPO, 'packages', pkg, 'src');
      for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts')) continue;
        const text = readFileSync(join(src, file), 'utf8');
        if (!/emitWarning\(|emit\('warning'/.test(text)) continue;
        for (const m of text.matchAll(/'(MP_[A-Z_]+)'/g)) codes.add(m[1]!);
      }
    }
    expect(codes.size).toBeGreaterThanOrEqual(8);
    const section = errors.slice(errors.indexOf('## Warnings'));
    for (const code of codes) expect(section, code).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });
});
