/**
 * AccountDataDO: one account's data plane for one month (named
 * `accountId:YYYY-MM`, src/domain/data-shard.ts), the store that takes over
 * what grows with the account's traffic from the shared D1
 * (docs/SCALING.md §5): the recipient projection of the broadcasts created
 * that month, and the callback deliveries created that month. Named
 * operations only, never SQL from outside; the object is
 * one account's, so no operation can reach another account's rows. The
 * callers that pick the shards and merge months are in src/db/ (`projection-shards.ts`).
 */
import { DurableObject } from "cloudflare:workers";
import type { CallbackDelivery } from "../db/callbacks-schema";
import type { RecipientStateRow } from "../db/recipient-states";
import type {
  Fingerprint,
  RetargetQuery,
  SentRow,
  SentSinceQuery,
  ShardStatusFilter,
  ShardStatusRow,
} from "../domain/data-shard";
import type { Bindings } from "../env";
import { type DeliveryAttempt, DeliveryStore, type ShardDelivery } from "./account-data/deliveries";
import { AccountDataStore } from "./account-data/store";

export class AccountDataDO extends DurableObject<Bindings> {
  private readonly store: AccountDataStore;
  private readonly deliveries: DeliveryStore;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new AccountDataStore(ctx.storage.sql);
    this.deliveries = new DeliveryStore(ctx.storage.sql);
  }

  upsertRecipientStates(rows: RecipientStateRow[]): number {
    return this.ctx.storage.transactionSync(() => this.store.upsert(rows));
  }

  deleteBroadcast(broadcastId: string): number {
    return this.store.deleteBroadcast(broadcastId);
  }

  fingerprints(): Fingerprint[] {
    return this.store.fingerprints();
  }

  findByWamid(wamid: string): { broadcastId: string; seq: number } | null {
    return this.store.findByWamid(wamid);
  }

  findLatestSent(
    phoneNumberIds: string[],
    identifier: string,
    since: string,
  ): { broadcastId: string; seq: number; submittedAt: string } | null {
    return this.store.findLatestSent(phoneNumberIds, identifier, since);
  }

  identifierOf(broadcastId: string, seq: number): string | null {
    return this.store.identifierOf(broadcastId, seq);
  }

  statusPage(filter: ShardStatusFilter, limit: number): { rows: ShardStatusRow[]; total: number } {
    return this.store.statusPage(filter, limit);
  }

  sentSince(q: SentSinceQuery): SentRow[] {
    return this.store.sentSince(q);
  }

  countReached(phoneNumberIds: string[], since: string, alsoReached: string[]): number {
    return this.store.countReached(phoneNumberIds, since, alsoReached);
  }

  reachedPeople(phoneNumberIds: string[], since: string, among: string[] | null): string[] {
    return this.store.reachedPeople(phoneNumberIds, since, among);
  }

  retargetPage(q: RetargetQuery): { seq: number; identifier: string }[] {
    return this.store.retargetPage(q);
  }

  broadcastsHolding(digits: string): string[] {
    return this.store.broadcastsHolding(digits);
  }

  erase(digits: string, erased: string): number {
    return this.ctx.storage.transactionSync(() => this.store.erase(digits, erased));
  }

  // ---- the callback delivery log (src/db/callback-deliveries.ts picks this shard) ----

  /** All or nothing: a consumer retry after a failure here makes each delivery once. */
  insertDeliveries(rows: ShardDelivery[]): number {
    return this.ctx.storage.transactionSync(() => this.deliveries.insert(rows));
  }

  getDelivery(id: string): CallbackDelivery | null {
    return this.deliveries.get(id);
  }

  recordDeliveryAttempt(id: string, attempt: DeliveryAttempt): boolean {
    return this.deliveries.recordAttempt(id, attempt);
  }

  countDeliveries(endpointId: string): number {
    return this.deliveries.countFor(endpointId);
  }

  deliveryPage(endpointId: string, limit: number, offset: number): CallbackDelivery[] {
    return this.deliveries.pageFor(endpointId, limit, offset);
  }

  /** The replay window's sweep (src/durable/delivery-bodies.ts): one bounded statement. */
  dropDeliveryBodies(cutoff: string, limit: number): number {
    return this.deliveries.dropBodiesBefore(cutoff, limit);
  }
}
