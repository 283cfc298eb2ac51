/**
 * The Worker's environment. `Env` comes from `wrangler types`; WHATSAPP_API and
 * CALLBACK_FETCH are optional service bindings that tests and the dispatch
 * benchmark point at the sandbox.
 */
export type Bindings = Env & {
  WHATSAPP_API?: Fetcher;
  /**
   * Connections per invocation for Cloud API sends (default 6, production's
   * limit); "0" lifts the clamp, for the engine-efficiency benchmark only.
   */
  CLOUD_API_CONNECTIONS?: string;
  /** Tests only: where callback deliveries go instead of the open internet (the sandbox's receivers). */
  CALLBACK_FETCH?: Fetcher;
};

export interface AuthedAccount {
  accountId: string;
  apiKeyId: string;
}

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    account: AuthedAccount;
    requestId: string;
  };
};
