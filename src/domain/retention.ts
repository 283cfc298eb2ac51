/**
 * Whether a message_statuses filter reached past retention: recipients of
 * broadcasts finished more than the account's `recipientRetentionDays` ago
 * are in the R2 archive, not in the projection the filter reads.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionFacts {
  days: number;
  /** The broadcast the filter names was archived (null: it names none). */
  broadcastArchived: boolean | null;
  /** The account has archived broadcasts at all. */
  anyArchived: boolean;
}

export interface StatusFilter {
  broadcastUuid?: string;
  updatedSince?: string;
}

export function retentionCutoff(days: number, now: Date): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

export function pastRetention(facts: RetentionFacts, filter: StatusFilter, now: Date) {
  const cutoff = retentionCutoff(facts.days, now);
  const since = filter.updatedSince ? new Date(filter.updatedSince) : null;
  let past: boolean;
  if (filter.broadcastUuid) past = facts.broadcastArchived === true;
  // Archived rows stopped changing before the cutoff: a later updatedSince cannot reach them.
  else if (since && since >= cutoff) past = false;
  else past = facts.anyArchived || (since !== null && since < cutoff);
  const archivedBefore = cutoff.toISOString();
  return {
    recipient_retention_days: facts.days,
    archived_before: archivedBefore,
    past_retention: past,
    note: past
      ? `Recipients of broadcasts finished before ${archivedBefore} are archived and not listed: GET /broadcasts/{uuid}/recipients/export reads them`
      : null,
  };
}
