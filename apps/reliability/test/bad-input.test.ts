// Runs every row of the bad-input catalogue (src/bad-input/*): the bad call gets its named error,
// at once (thrown by a sync API, rejected by one that returns a Promise), with a message that says
// what to do; then the next valid call on the same object succeeds.
import { readFileSync } from 'node:fs';
import { Pool } from '@multiproc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Case, catalogue, type Env, heavyCases } from '../src/bad-input/catalogue.ts';
import { runCase } from '../src/bad-input/run.ts';

const pools = new Map<string, Pool>();
const env: Env = {
  pool(context) {
    let pool = pools.get(context);
    if (!pool) pools.set(context, (pool = new Pool({ processes: 1, context })));
    return pool;
  },
};

afterAll(async () => {
  await Promise.all([...pools.values()].map((p) => p.terminate()));
});

describe('the bad-input catalogue', () => {
  it('has at least 60 rows, each with a named outcome', () => {
    expect(catalogue.filter((c) => !c.pending).length).toBeGreaterThanOrEqual(60);
  });

  it('is listed row by row on the docs page', () => {
    const page = readFileSync(new URL('../../docs/guide/reliability-tests.md', import.meta.url), 'utf8');
    const cell = (api: string) => (api.includes('`') ? api : `\`${api}\``).replace(/\|/g, '\\|');
    // Tables are padded by the formatter: a row starts with its first cell, then spaces.
    const missing = [...catalogue, ...heavyCases].filter(
      (c) => !c.pending && !page.includes(`| ${cell(c.api)} `),
    );
    expect(missing.map((c) => c.api)).toEqual([]);
  });

  const rows = catalogue.map((c): [string, Case] => [`${c.api}: ${c.input}`, c]);
  it.each(rows.filter(([, c]) => !c.pending))('%s', async (_, c) => {
    expect(await runCase(c, env)).toEqual([]);
  });
});
