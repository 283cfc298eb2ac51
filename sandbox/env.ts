/** The sandbox Worker's bindings (sandbox/wrangler.toml; vitest.config.ts in tests). */
import type { SandboxNumberDO } from "./number-do";
import type { SandboxRegistryDO } from "./registry-do";

export interface SandboxEnv {
  /** Signs webhooks (X-Hub-Signature-256): the API's META_APP_SECRET. */
  APP_SECRET: string;
  /** Default webhook target; empty: webhooks wait in each number's outbox. */
  WEBHOOK_URL?: string;
  /** The API Worker, when it runs in the same process (the dispatch benchmark): webhooks go through it. */
  WEBHOOK_SERVICE?: Fetcher;
  /** The same API Worker: requests that are not the sandbox's go on to it (the dispatch benchmark). */
  PASS_THROUGH?: Fetcher;
  SANDBOX_NUMBER: DurableObjectNamespace<SandboxNumberDO>;
  SANDBOX_REGISTRY: DurableObjectNamespace<SandboxRegistryDO>;
}

export const registryStub = (env: SandboxEnv) =>
  env.SANDBOX_REGISTRY.get(env.SANDBOX_REGISTRY.idFromName("registry"));

export const numberStub = (env: SandboxEnv, phoneNumberId: string) =>
  env.SANDBOX_NUMBER.get(env.SANDBOX_NUMBER.idFromName(phoneNumberId));
