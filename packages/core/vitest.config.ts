import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Most tests here start pools of child processes; in CI every package's suite runs at once on
// 2 cores, and a pool of 3 children has taken over 15 s to answer its first call there.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 30_000 } }));
