/**
 * The frequency cap's check, the same at create, when a v1 audience loads,
 * and at send: who of these people is at the account's cap now. Invariant 8:
 * the count is read from the projection, which trails each broadcast's
 * Durable Object by a flush, so the account's live broadcasts flush first
 * (as a retarget and the messaging-limit budget do): the count sees at least
 * every send their own GETs show.
 */
import { frequencyCapOf, liveBroadcastsOfAccount, marketingSendsSince } from "../db/frequency-cap";
import {
  type CapVerdict,
  capVerdicts,
  capWindowStart,
  type FrequencyCap,
  type FrequencyCapPolicy,
} from "../domain/frequency-cap";
import { isMarketing } from "../domain/marketing-rules";
import { catchUpBroadcasts } from "../durable/broadcast/catch-up";
import type { Bindings } from "../env";

/** A broadcast changed this recently may still have a settle on its way to D1. */
const RECENT_MS = 10 * 60_000;
/**
 * The send path reads the setting at most this often per isolate (as it does
 * the sender): a marketing wave with the cap off then costs no D1 read.
 */
const SETTING_CACHE_MS = 5_000;
const settingCache = new Map<string, { cap: FrequencyCap | null; at: number }>();

/** The account's cap as the send path sees it: read again after a few seconds. */
export async function cachedFrequencyCap(
  env: Bindings,
  accountId: string,
): Promise<FrequencyCap | null> {
  const hit = settingCache.get(accountId);
  const now = Date.now();
  if (hit && now - hit.at >= 0 && now - hit.at < SETTING_CACHE_MS) return hit.cap;
  const cap = await frequencyCapOf(env.DB, accountId);
  settingCache.set(accountId, { cap, at: now });
  return cap;
}

export type CappedPeople = Map<string, Exclude<CapVerdict, { kind: "allowed" }>>;

/**
 * The people at the cap, with their verdict (skip, or hold until when);
 * empty when the cap is off or the template is not marketing. `except`: the
 * asking broadcast (it sends a person once, and must not wait on itself).
 */
export async function cappedPeople(
  env: Bindings,
  input: {
    accountId: string;
    category: string | null | undefined;
    people: readonly string[];
    policy: FrequencyCapPolicy | undefined;
    validUntil: string | null;
    except: string | null;
    /** Already read by the caller (one read per create); absent: read here. */
    cap?: FrequencyCap | null;
  },
): Promise<CappedPeople> {
  if (!isMarketing(input.category) || input.people.length === 0) return new Map();
  const cap = input.cap !== undefined ? input.cap : await frequencyCapOf(env.DB, input.accountId);
  if (!cap) return new Map();
  const now = Date.now();
  await catchUpAccount(env, input.accountId, input.except, now);
  const sends = await marketingSendsSince(
    env,
    input.accountId,
    input.people,
    capWindowStart(cap, now),
  );
  return capVerdicts({
    cap,
    sends,
    people: input.people,
    policy: input.policy,
    validUntil: input.validUntil,
    now,
  });
}

async function catchUpAccount(
  env: Bindings,
  accountId: string,
  except: string | null,
  now: number,
): Promise<void> {
  const since = new Date(now - RECENT_MS).toISOString();
  const ids = await liveBroadcastsOfAccount(env.DB, accountId, since);
  await catchUpBroadcasts(env, accountId, ids, except, "frequency cap");
}
