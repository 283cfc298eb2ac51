/**
 * The demo account of local development, written once: every row is inserted
 * only when missing, so seeding again changes nothing.
 */
import type { Database } from "./client";
import { NEW_ACCOUNT_DATA_PLANE } from "./data-plane";
import { accounts, apiKeys, senders } from "./schema";

export interface DemoSeed {
  account: typeof accounts.$inferInsert;
  key: typeof apiKeys.$inferInsert;
  sender: typeof senders.$inferInsert;
}

export async function seedDemoAccount(db: Database, seed: DemoSeed): Promise<void> {
  await db.batch([
    db
      .insert(accounts)
      .values({ dataPlane: NEW_ACCOUNT_DATA_PLANE, ...seed.account })
      .onConflictDoNothing(),
    db.insert(apiKeys).values(seed.key).onConflictDoNothing(),
    db.insert(senders).values(seed.sender).onConflictDoNothing(),
  ]);
}
