/**
 * AccountDataDO: one account's data plane for one month (named
 * `accountId:YYYY-MM`, src/domain/data-shard.ts), the store that takes over
 * what grows with the account's traffic from the shared D1
 * (docs/SCALING.md §5). Built so far: the recipient projection and the
 * backfill's writes and verification (src/durable/data-plane-backfill.ts);
 * the Outbox does not write here yet and no read comes here yet.
 */
import { DurableObject } from "cloudflare:workers";
import type { RecipientStateRow } from "../db/recipient-states";
import type { Fingerprint } from "../domain/data-shard";
import type { Bindings } from "../env";
import { AccountDataStore } from "./account-data/store";

export class AccountDataDO extends DurableObject<Bindings> {
  private readonly store: AccountDataStore;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new AccountDataStore(ctx.storage.sql);
  }

  upsertRecipientStates(rows: RecipientStateRow[]): number {
    return this.ctx.storage.transactionSync(() => this.store.upsert(rows));
  }

  fingerprints(): Fingerprint[] {
    return this.store.fingerprints();
  }

  findByWamid(wamid: string): { broadcastId: string; seq: number } | null {
    return this.store.findByWamid(wamid);
  }
}
