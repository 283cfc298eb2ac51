import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      FUZZ_SEED: string;
      FUZZ_RUNS: string;
      WHATSAPP_API: Fetcher;
      CALLBACK_FETCH: Fetcher;
    }
  }
}
