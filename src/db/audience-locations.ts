/**
 * The audience's side of a location (a D1 row the audience names by id). In
 * D1 a foreign key guards it; in the AccountAudienceDO no foreign key can
 * reach D1, so what the key did is done here, explicitly: the references a
 * delete must check, and the SET NULL a deleted location leaves behind.
 */
import { and, count, eq } from "drizzle-orm";
import { classes, contacts, segments } from "./audience-schema";
import { type Database, nowIso } from "./client";

export interface AudienceLocationReferences {
  contacts: number;
  segments: number;
  classes: number;
}

export async function locationAudienceReferences(
  db: Database,
  accountId: string,
  locationId: string,
): Promise<AudienceLocationReferences> {
  const [c, s, k] = await db.batch([
    db
      .select({ n: count() })
      .from(contacts)
      .where(and(eq(contacts.locationId, locationId), eq(contacts.accountId, accountId))),
    db
      .select({ n: count() })
      .from(segments)
      .where(and(eq(segments.locationId, locationId), eq(segments.accountId, accountId))),
    db
      .select({ n: count() })
      .from(classes)
      .where(and(eq(classes.locationId, locationId), eq(classes.accountId, accountId))),
  ]);
  return { contacts: c[0]?.n ?? 0, segments: s[0]?.n ?? 0, classes: k[0]?.n ?? 0 };
}

/**
 * A deleted location's id leaves every row that still names it (D1's
 * `ON DELETE SET NULL`): the backstop for a row that came to name it between
 * the reference check and the delete. One batch; answers the rows changed.
 */
export async function clearLocation(
  d1: D1Database,
  accountId: string,
  locationId: string,
): Promise<number> {
  const at = nowIso();
  const results = await d1.batch(
    ["contacts", "segments", "classes"].map((table) =>
      d1
        .prepare(
          `UPDATE ${table} SET location_id = NULL, updated_at = ?3 WHERE location_id = ?2 AND account_id = ?1`,
        )
        .bind(accountId, locationId, at),
    ),
  );
  return results.reduce((n, r) => n + r.meta.changes, 0);
}
