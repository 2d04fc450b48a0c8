// The root README and every package README link to the docs pages. (Their examples run as pasted,
// from the packed tarballs in a fresh project, in apps/consumer's readmes test.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './project.ts';

const READMES = [
  'README.md',
  'packages/multiproc/README.md',
  'packages/core/README.md',
  'packages/ipc/README.md',
  'packages/shared/README.md',
  'packages/bullmq/README.md',
];

describe('READMEs', () => {
  for (const file of READMES) {
    it(`${file}: links to the docs pages`, () => {
      expect(readFileSync(join(REPO, file), 'utf8')).toMatch(/apps\/docs\/(guide|packages)\/[\w-]+\.md/);
    });
  }
});
