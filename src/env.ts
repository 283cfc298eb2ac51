/**
 * The Worker's environment. `Env` comes from `wrangler types`; WHATSAPP_API is
 * an optional service binding that tests (and only tests) point at the sandbox.
 */
export type Bindings = Env & {
  WHATSAPP_API?: Fetcher;
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
