import * as pkg from '@multiproc/core';
import { describe, expect, it } from 'vitest';

describe('built package', () => {
  it('exports the shared error base class', () => {
    expect(typeof pkg.ProcessError).toBe('function');
    expect(new pkg.ValidationError('x')).toBeInstanceOf(pkg.ProcessError);
  });
});
