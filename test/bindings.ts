/** Secrets and vars for the test run: explicit, so tests never depend on a local .dev.vars. */
export const TEST_APP_SECRET = "test-app-secret";

export const TEST_BINDINGS = {
  ENVIRONMENT: "test",
  WHATSAPP_API_BASE: "http://sandbox.test",
  ADMIN_TOKEN: "test-admin-token",
  META_APP_SECRET: TEST_APP_SECRET,
  WEBHOOK_VERIFY_TOKEN: "test-verify-token",
  TOKEN_ENCRYPTION_KEY: "dGVzdC10b2tlbi1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=",
  DEMO_API_KEY: "chorus-demo-key",
  // Short, so that the timeout faults of the tests cost seconds, not minutes.
  SEND_TIMEOUT_MS: "1500",
  // Callback retries in seconds, not minutes.
  CALLBACK_RETRY_BASE_S: "1",
} as const;

/** The sandbox in tests keeps webhooks in its outbox (no URL) for tests to deliver. */
export const TEST_SANDBOX_BINDINGS = {
  APP_SECRET: TEST_APP_SECRET,
  WEBHOOK_URL: "",
} as const;
