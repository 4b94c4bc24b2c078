import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // a private cache, and tripwires on a real Patroni host's ports (test/helpers/global-setup.ts)
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration tests share one real cluster: files run one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
