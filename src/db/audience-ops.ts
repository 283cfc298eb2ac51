/**
 * Every named operation on one account's audience (contacts, segments and
 * their members, classes and their enrolments), over whichever SQLite holds
 * it: the shared D1, or the account's AccountAudienceDO through its own
 * storage as a D1Database (./storage-d1.ts). One implementation: the modules
 * beside this file; this only binds them to a store. `./audience-store.ts`
 * picks the store by the account's data plane.
 */

import { type AudienceSource, audienceRows } from "./audience";
import {
  type AudienceTable,
  type CopiedRow,
  clearAudience,
  copyPage,
  upsertCopied,
} from "./audience-copy";
import { clearLocation, locationAudienceReferences } from "./audience-locations";
import type { EnrolmentStatus } from "./audience-schema";
import {
  type ClassFilter,
  deleteClass,
  deleteEnrolment,
  getClass,
  getEnrolment,
  insertClass,
  insertEnrolment,
  listClasses,
  listEnrolments,
  type NewClass,
  updateClass,
  updateEnrolment,
} from "./classes";
import { database } from "./client";
import {
  bulkUpsertContacts,
  type ContactFilter,
  type ContactInput,
  type ContactValues,
  contactsByPhones,
  deleteContact,
  deleteContactByPhone,
  findContactByPhone,
  getContact,
  insertContact,
  learnContactUserIds,
  listContacts,
  optOutContact,
  optOutContactByUserId,
  unknownContactIds,
  updateContact,
} from "./contacts";
import {
  addSegmentContacts,
  deleteSegment,
  getSegment,
  insertSegment,
  listSegmentContacts,
  listSegments,
  type NewSegment,
  removeSegmentContacts,
  type SegmentFilter,
  segmentContactCount,
  unknownSegmentIds,
  updateSegment,
} from "./segments";

export function audienceOps(d1: D1Database) {
  const db = database(d1);
  return {
    // contacts
    listContacts: (accountId: string, filter: ContactFilter, limit: number, offset: number) =>
      listContacts(db, accountId, filter, limit, offset),
    getContact: (accountId: string, id: string) => getContact(db, accountId, id),
    findContactByPhone: (accountId: string, phone: string) =>
      findContactByPhone(db, accountId, phone),
    unknownContactIds: (accountId: string, ids: string[]) => unknownContactIds(d1, accountId, ids),
    insertContact: (accountId: string, values: ContactValues) =>
      insertContact(db, accountId, values),
    updateContact: (accountId: string, id: string, values: ContactValues) =>
      updateContact(db, accountId, id, values),
    deleteContact: (accountId: string, id: string) => deleteContact(db, accountId, id),
    deleteContactByPhone: (accountId: string, digits: string) =>
      deleteContactByPhone(d1, accountId, digits),
    bulkUpsertContacts: (accountId: string, rows: (ContactInput & { phone: string })[]) =>
      bulkUpsertContacts(d1, accountId, rows),
    learnContactUserIds: (learned: { accountId: string; phone: string; userId: string }[]) =>
      learnContactUserIds(d1, learned),
    optOutContact: (accountId: string, phone: string) => optOutContact(d1, accountId, phone),
    optOutContactByUserId: (accountId: string, userId: string) =>
      optOutContactByUserId(d1, accountId, userId),
    contactsByPhones: (accountId: string, phones: string[]) =>
      contactsByPhones(d1, accountId, phones),
    // segments
    listSegments: (accountId: string, filter: SegmentFilter, limit: number, offset: number) =>
      listSegments(db, accountId, filter, limit, offset),
    getSegment: (accountId: string, id: string) => getSegment(db, accountId, id),
    unknownSegmentIds: (accountId: string, ids: string[]) => unknownSegmentIds(d1, accountId, ids),
    insertSegment: (accountId: string, values: NewSegment) => insertSegment(db, accountId, values),
    updateSegment: (accountId: string, id: string, patch: Partial<NewSegment>) =>
      updateSegment(db, accountId, id, patch),
    deleteSegment: (accountId: string, id: string) => deleteSegment(db, accountId, id),
    listSegmentContacts: (accountId: string, segmentId: string, limit: number, offset: number) =>
      listSegmentContacts(db, accountId, segmentId, limit, offset),
    addSegmentContacts: (accountId: string, segmentId: string, contactIds: string[]) =>
      addSegmentContacts(d1, accountId, segmentId, contactIds),
    removeSegmentContacts: (accountId: string, segmentId: string, contactIds: string[]) =>
      removeSegmentContacts(d1, accountId, segmentId, contactIds),
    segmentContactCount: (accountId: string, segmentId: string) =>
      segmentContactCount(d1, accountId, segmentId),
    // classes
    listClasses: (accountId: string, filter: ClassFilter, limit: number, offset: number) =>
      listClasses(db, accountId, filter, limit, offset),
    getClass: (accountId: string, id: string) => getClass(db, accountId, id),
    insertClass: (accountId: string, values: NewClass) => insertClass(db, accountId, values),
    updateClass: (accountId: string, id: string, patch: Partial<NewClass>) =>
      updateClass(db, accountId, id, patch),
    deleteClass: (accountId: string, id: string) => deleteClass(db, accountId, id),
    listEnrolments: (
      accountId: string,
      classId: string,
      status: EnrolmentStatus | undefined,
      limit: number,
      offset: number,
    ) => listEnrolments(db, accountId, classId, status, limit, offset),
    getEnrolment: (accountId: string, classId: string, contactId: string) =>
      getEnrolment(db, accountId, classId, contactId),
    insertEnrolment: (
      accountId: string,
      classId: string,
      contactId: string,
      status: EnrolmentStatus,
    ) => insertEnrolment(d1, accountId, classId, contactId, status),
    updateEnrolment: (
      accountId: string,
      classId: string,
      contactId: string,
      status: EnrolmentStatus,
    ) => updateEnrolment(db, accountId, classId, contactId, status),
    deleteEnrolment: (accountId: string, classId: string, contactId: string) =>
      deleteEnrolment(db, accountId, classId, contactId),
    // a v1 broadcast's audience, without the D1 parts (suppressions, timezones)
    audienceRows: (accountId: string, source: AudienceSource, after: string, pageSize: number) =>
      audienceRows(d1, accountId, source, after, pageSize),
    // locations (a D1 row the audience refers to by id)
    locationReferences: (accountId: string, locationId: string) =>
      locationAudienceReferences(db, accountId, locationId),
    clearLocation: (accountId: string, locationId: string) =>
      clearLocation(d1, accountId, locationId),
    // the migration path's copy (./audience-copy.ts)
    copyPage: (
      accountId: string,
      table: AudienceTable,
      after: string,
      parent: string,
      limit: number,
    ) => copyPage(d1, accountId, table, after, parent, limit),
    upsertCopied: (table: AudienceTable, rows: CopiedRow[]) => upsertCopied(d1, table, rows),
    clearAudience: (accountId: string, limit: number) => clearAudience(d1, accountId, limit),
  };
}

/** What a store of the audience answers: every operation, asynchronously. */
export type AudienceOps = ReturnType<typeof audienceOps>;

/** The operations that change the audience (refused while it moves between stores). */
export const AUDIENCE_WRITES = [
  "insertContact",
  "updateContact",
  "deleteContact",
  "deleteContactByPhone",
  "bulkUpsertContacts",
  "learnContactUserIds",
  "optOutContact",
  "optOutContactByUserId",
  "insertSegment",
  "updateSegment",
  "deleteSegment",
  "addSegmentContacts",
  "removeSegmentContacts",
  "insertClass",
  "updateClass",
  "deleteClass",
  "insertEnrolment",
  "updateEnrolment",
  "deleteEnrolment",
  "clearLocation",
] as const satisfies readonly (keyof AudienceOps)[];
