import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { build } from "esbuild";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS, TEST_SANDBOX_BINDINGS } from "./test/bindings.ts";

/**
 * Tests run inside workerd: the API Worker from wrangler.toml, plus the
 * WhatsApp sandbox as an auxiliary Worker (bundled here first, since auxiliary
 * Workers take a built script). The API reaches the sandbox through the
 * WHATSAPP_API service binding, so every test exercises real Cloud API payloads.
 */
export default defineConfig(async () => {
  await build({
    entryPoints: ["sandbox/index.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    outfile: ".sandbox-dist/index.js",
    logLevel: "warning",
  });
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_BINDINGS,
            TEST_MIGRATIONS: migrations,
            // test/fuzz: replay a failure with FUZZ_SEED, go deeper with FUZZ_RUNS.
            FUZZ_SEED: process.env.FUZZ_SEED ?? "",
            FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
          },
          // The Cloud API and customers' callback endpoints are both the sandbox in tests.
          serviceBindings: { WHATSAPP_API: "sandbox", CALLBACK_FETCH: "sandbox" },
          workers: [
            {
              name: "sandbox",
              modules: true,
              scriptPath: "./.sandbox-dist/index.js",
              compatibilityDate: "2026-11-01",
              compatibilityFlags: ["nodejs_compat"],
              durableObjects: {
                SANDBOX_NUMBER: { className: "SandboxNumberDO", useSQLite: true },
                SANDBOX_REGISTRY: { className: "SandboxRegistryDO", useSQLite: true },
              },
              bindings: TEST_SANDBOX_BINDINGS,
            },
          ],
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**", "test/browser/**"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
