/**
 * AccountAudienceDO: one account's audience (docs/SCALING.md §5), named by
 * the account id: its contacts, segments and their members, classes and
 * their enrolments, off the shared D1 (0.66 GB for 1 M contacts, ~660 GB at
 * the stated load of 1,000 such accounts). Named operations only, never SQL
 * from outside: each runs the one implementation in src/db/ (audience-ops.ts)
 * over this object's own SQLite, presented as a D1Database
 * (src/db/storage-d1.ts). Callers reach it through src/db/audience-store.ts.
 *
 * While a copy of the audience into or out of this object runs (the
 * migration path, src/durable/audience-move.ts) it is *closed*: every write
 * answers AUDIENCE_MOVING (the API's 503) and changes nothing, so no write
 * is lost between the two stores. New objects are open.
 */
import { DurableObject } from "cloudflare:workers";
import type { AudienceSource } from "../db/audience";
import type { AudienceTable, CopiedRow } from "../db/audience-copy";
import { type AudienceOps, audienceOps } from "../db/audience-ops";
import type { EnrolmentStatus } from "../db/audience-schema";
import { AUDIENCE_MOVING } from "../db/audience-store";
import type { ClassFilter, NewClass } from "../db/classes";
import type { ContactFilter, ContactInput, ContactValues } from "../db/contacts";
import type { NewSegment, SegmentFilter } from "../db/segments";
import { storageAsD1 } from "../db/storage-d1";
import type { Bindings } from "../env";
import { AUDIENCE_SCHEMA } from "./account-audience/schema";

export class AccountAudienceDO extends DurableObject<Bindings> implements AudienceOps {
  private readonly ops: AudienceOps;
  private closed: boolean;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(AUDIENCE_SCHEMA);
    this.ops = audienceOps(storageAsD1(ctx.storage));
    this.closed =
      ctx.storage.sql
        .exec<{ value: string }>("SELECT value FROM audience_state WHERE key = 'closed'")
        .toArray()[0]?.value === "1";
  }

  /** Runs a write unless a copy is under way. */
  private async write<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new Error(`${AUDIENCE_MOVING}: the audience is being copied; nothing was changed`);
    }
    return run();
  }

  // ---- the migration path ---------------------------------------------------------------

  /** Open (writes allowed) or closed (a copy runs); kept across restarts. */
  setClosed(closed: boolean): boolean {
    this.ctx.storage.sql.exec(
      "INSERT INTO audience_state (key, value) VALUES ('closed', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      closed ? "1" : "0",
    );
    this.closed = closed;
    return closed;
  }

  isClosed(): boolean {
    return this.closed;
  }

  copyPage(accountId: string, table: AudienceTable, after: string, parent: string, limit: number) {
    return this.ops.copyPage(accountId, table, after, parent, limit);
  }

  /** Written by the copy itself, so allowed while closed (and only then does it run). */
  upsertCopied(table: AudienceTable, rows: CopiedRow[]) {
    return this.ops.upsertCopied(table, rows);
  }

  clearAudience(accountId: string, limit: number) {
    return this.ops.clearAudience(accountId, limit);
  }

  // ---- contacts -------------------------------------------------------------------------

  listContacts(accountId: string, filter: ContactFilter, limit: number, offset: number) {
    return this.ops.listContacts(accountId, filter, limit, offset);
  }
  getContact(accountId: string, id: string) {
    return this.ops.getContact(accountId, id);
  }
  findContactByPhone(accountId: string, phone: string) {
    return this.ops.findContactByPhone(accountId, phone);
  }
  unknownContactIds(accountId: string, ids: string[]) {
    return this.ops.unknownContactIds(accountId, ids);
  }
  contactsByPhones(accountId: string, phones: string[]) {
    return this.ops.contactsByPhones(accountId, phones);
  }
  insertContact(accountId: string, values: ContactValues) {
    return this.write(() => this.ops.insertContact(accountId, values));
  }
  updateContact(accountId: string, id: string, values: ContactValues) {
    return this.write(() => this.ops.updateContact(accountId, id, values));
  }
  deleteContact(accountId: string, id: string) {
    return this.write(() => this.ops.deleteContact(accountId, id));
  }
  deleteContactByPhone(accountId: string, digits: string) {
    return this.write(() => this.ops.deleteContactByPhone(accountId, digits));
  }
  bulkUpsertContacts(accountId: string, rows: (ContactInput & { phone: string })[]) {
    return this.write(() => this.ops.bulkUpsertContacts(accountId, rows));
  }
  learnContactUserIds(learned: { accountId: string; phone: string; userId: string }[]) {
    return this.write(() => this.ops.learnContactUserIds(learned));
  }
  optOutContact(accountId: string, phone: string) {
    return this.write(() => this.ops.optOutContact(accountId, phone));
  }
  optOutContactByUserId(accountId: string, userId: string) {
    return this.write(() => this.ops.optOutContactByUserId(accountId, userId));
  }

  // ---- segments -------------------------------------------------------------------------

  listSegments(accountId: string, filter: SegmentFilter, limit: number, offset: number) {
    return this.ops.listSegments(accountId, filter, limit, offset);
  }
  getSegment(accountId: string, id: string) {
    return this.ops.getSegment(accountId, id);
  }
  unknownSegmentIds(accountId: string, ids: string[]) {
    return this.ops.unknownSegmentIds(accountId, ids);
  }
  listSegmentContacts(accountId: string, segmentId: string, limit: number, offset: number) {
    return this.ops.listSegmentContacts(accountId, segmentId, limit, offset);
  }
  segmentContactCount(accountId: string, segmentId: string) {
    return this.ops.segmentContactCount(accountId, segmentId);
  }
  insertSegment(accountId: string, values: NewSegment) {
    return this.write(() => this.ops.insertSegment(accountId, values));
  }
  updateSegment(accountId: string, id: string, patch: Partial<NewSegment>) {
    return this.write(() => this.ops.updateSegment(accountId, id, patch));
  }
  deleteSegment(accountId: string, id: string) {
    return this.write(() => this.ops.deleteSegment(accountId, id));
  }
  addSegmentContacts(accountId: string, segmentId: string, contactIds: string[]) {
    return this.write(() => this.ops.addSegmentContacts(accountId, segmentId, contactIds));
  }
  removeSegmentContacts(accountId: string, segmentId: string, contactIds: string[]) {
    return this.write(() => this.ops.removeSegmentContacts(accountId, segmentId, contactIds));
  }

  // ---- classes --------------------------------------------------------------------------

  listClasses(accountId: string, filter: ClassFilter, limit: number, offset: number) {
    return this.ops.listClasses(accountId, filter, limit, offset);
  }
  getClass(accountId: string, id: string) {
    return this.ops.getClass(accountId, id);
  }
  listEnrolments(
    accountId: string,
    classId: string,
    status: EnrolmentStatus | undefined,
    limit: number,
    offset: number,
  ) {
    return this.ops.listEnrolments(accountId, classId, status, limit, offset);
  }
  getEnrolment(accountId: string, classId: string, contactId: string) {
    return this.ops.getEnrolment(accountId, classId, contactId);
  }
  insertClass(accountId: string, values: NewClass) {
    return this.write(() => this.ops.insertClass(accountId, values));
  }
  updateClass(accountId: string, id: string, patch: Partial<NewClass>) {
    return this.write(() => this.ops.updateClass(accountId, id, patch));
  }
  deleteClass(accountId: string, id: string) {
    return this.write(() => this.ops.deleteClass(accountId, id));
  }
  insertEnrolment(accountId: string, classId: string, contactId: string, status: EnrolmentStatus) {
    return this.write(() => this.ops.insertEnrolment(accountId, classId, contactId, status));
  }
  updateEnrolment(accountId: string, classId: string, contactId: string, status: EnrolmentStatus) {
    return this.write(() => this.ops.updateEnrolment(accountId, classId, contactId, status));
  }
  deleteEnrolment(accountId: string, classId: string, contactId: string) {
    return this.write(() => this.ops.deleteEnrolment(accountId, classId, contactId));
  }

  // ---- a broadcast's audience, locations ------------------------------------------------

  audienceRows(accountId: string, source: AudienceSource, after: string, pageSize: number) {
    return this.ops.audienceRows(accountId, source, after, pageSize);
  }
  locationReferences(accountId: string, locationId: string) {
    return this.ops.locationReferences(accountId, locationId);
  }
  clearLocation(accountId: string, locationId: string) {
    return this.write(() => this.ops.clearLocation(accountId, locationId));
  }
}
