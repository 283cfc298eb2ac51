import { defineConfig } from "vitest/config";

/**
 * Browser tests: Node drives Debian's Chromium (playwright-core) against the
 * local stack (`scripts/dev-stack.mjs`, on its own ports and state), unlike
 * the main suite, which runs inside workerd. The published contract's test
 * (openapi-contract.test.ts: Redocly, the typed client) runs here too, on the
 * same stack without a browser: Redocly and openapi-typescript need Node.
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
