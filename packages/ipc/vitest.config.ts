import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Most tests here start threads and child processes; in CI every package's suite runs at once on
// 2 cores, where a child's start alone can take seconds. A hang still fails, after 60 s.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } }));
