// Test tiers run by `npm test`: kernel, language, language server, debug adapter, grammar,
// extension, CLI, docs and examples. The JSON report lets CI print one closing count.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
  },
});
