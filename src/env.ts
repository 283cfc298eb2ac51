/**
 * The Worker's environment. `Env` comes from `wrangler types`; WHATSAPP_API and
 * CALLBACK_FETCH are optional service bindings that tests (and only tests)
 * point at the sandbox.
 */
export type Bindings = Env & {
  WHATSAPP_API?: Fetcher;
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
