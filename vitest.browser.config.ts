import { defineConfig } from "vitest/config";

/**
 * Browser tests: Node drives Debian's Chromium (playwright-core) against the
 * local stack (`scripts/dev-stack.mjs`, on its own ports and state), unlike
 * the main suite, which runs inside workerd.
 */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
