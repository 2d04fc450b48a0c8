import * as mp from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';

describe('workspace wiring', () => {
  it('resolves the built umbrella package', () => {
    expect(typeof mp.ProcessError).toBe('function');
  });
});
