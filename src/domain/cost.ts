/**
 * What a broadcast costs, before and after: Meta bills each delivered
 * template message (per message since 2025-07-01) at a rate set by its
 * pricing category and the recipient's market. Pure: rate cards in, figures
 * out. Amounts are computed in millionths of the currency unit, so a sum of
 * many messages is exact (0.0118 × 400 is 4.72, not 4.7200000000000006).
 */
import { callingCodeOf } from "./calling-code";
import builtIn from "./rate-card.json";

/**
 * Meta's `pricing.category` values (REFERENCE.md, "Pricing"). `marketing_lite`
 * is what the Marketing Messages API delivers: the built-in card has no
 * figure for it (no source gives one), so its messages are priced by a loaded
 * card that lists it, else counted as `unpriced_messages` — never at the
 * marketing rate, which would be a guess.
 */
export const PRICING_CATEGORIES = [
  "marketing",
  "marketing_lite",
  "utility",
  "authentication",
  "authentication-international",
  "service",
  "referral_conversion",
] as const;
export type PricingCategory = (typeof PRICING_CATEGORIES)[number];

export interface MarketRates {
  market: string;
  /** Calling codes without '+', as Meta groups them ("1" is North America). */
  callingCodes: string[];
  /** Rate per delivered message; null: unknown (never guessed). */
  rates: Partial<Record<string, number | null>>;
}

export interface RateCard {
  currency: string;
  /** YYYY-MM-DD: the card is in force from this day (UTC) until the next card of its currency. */
  effective: string;
  source: string;
  markets: MarketRates[];
  /** Loaded from Meta's CSV by an operator (wins over the built-in card of the same day). */
  loaded: boolean;
}

export const OTHER_MARKET = "Other";
export const DEFAULT_CURRENCY = "USD";

interface CardJson {
  currency: string;
  effective: string;
  source: string;
  markets: { market: string; calling_codes: string[]; rates: Record<string, number | null> }[];
}

/** The card Chorus ships (src/domain/rate-card.json). */
export function builtInCard(): RateCard {
  const card = builtIn as CardJson;
  return {
    currency: card.currency,
    effective: card.effective,
    source: card.source,
    loaded: false,
    markets: card.markets.map((m) => ({
      market: m.market,
      callingCodes: m.calling_codes,
      rates: m.rates,
    })),
  };
}

/**
 * The card of `currency` in force at `at` (ISO time or day): the latest
 * effective on or before that day, a loaded card before the built-in one of
 * the same day. Null when none was yet in force (per-message pricing began
 * 2025-07-01; earlier traffic was billed per conversation).
 */
export function cardInForce(cards: RateCard[], currency: string, at: string): RateCard | null {
  const day = at.slice(0, 10);
  let best: RateCard | null = null;
  for (const card of cards) {
    if (card.currency !== currency || card.effective > day) continue;
    if (
      !best ||
      card.effective > best.effective ||
      (card.effective === best.effective && card.loaded && !best.loaded)
    )
      best = card;
  }
  return best;
}

/**
 * The market of a calling code ("44"; see calling-code.ts): the card's market
 * that lists it, else "Other". Unconfirmed: which +1 countries Meta counts in
 * North America (the Caribbean shares +1); here every +1 number is.
 */
export function marketOf(card: RateCard, callingCode: string): string {
  if (!callingCode) return OTHER_MARKET;
  return card.markets.find((m) => m.callingCodes.includes(callingCode))?.market ?? OTHER_MARKET;
}

/** Millionths of a currency unit. */
const MICROS = 1_000_000;
const toMicros = (rate: number) => Math.round(rate * MICROS);
const fromMicros = (micros: number) => micros / MICROS;

/** A market's rate for a category; null when the card does not know it. */
export function rateOf(card: RateCard, market: string, category: string): number | null {
  const rates = card.markets.find((m) => m.market === market)?.rates;
  const rate = rates?.[category];
  return typeof rate === "number" ? rate : null;
}

/** The pricing category of a template's category (MARKETING → marketing). */
export function templatePricingCategory(templateCategory: string): string {
  return templateCategory.trim().toLowerCase();
}

export interface EstimateLine {
  market: string;
  category: string;
  recipients: number;
  /** null: the card has no figure for this market and category. */
  rate: number | null;
  cost: number | null;
}

export interface Estimate {
  currency: string;
  /** The sum over the lines whose rate is known. */
  total: number;
  card_effective: string;
  /** Always true: free entry points, open service windows and volume tiers only lower it. */
  upper_bound: true;
  /** Recipients in lines whose rate is unknown, left out of `total`. */
  unpriced_recipients: number;
  by_market: EstimateLine[];
}

/** How many of these numbers (E.164 digits) share each calling code. */
export function countByCallingCode(numbers: Iterable<string>): AudienceCount[] {
  const counts = new Map<string, number>();
  for (const digits of numbers) {
    const code = callingCodeOf(digits);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].map(([callingCode, recipients]) => ({ callingCode, recipients }));
}

export interface AudienceCount {
  callingCode: string;
  recipients: number;
}

/**
 * What sending one template to this audience would cost at most: every
 * accepted recipient billed at the list rate of the template's category.
 */
export function estimateCost(
  card: RateCard,
  category: string,
  audience: AudienceCount[],
): Estimate {
  const counts = new Map<string, number>();
  for (const { callingCode, recipients } of audience) {
    const market = marketOf(card, callingCode);
    counts.set(market, (counts.get(market) ?? 0) + recipients);
  }
  let totalMicros = 0;
  let unpriced = 0;
  const lines: EstimateLine[] = [];
  for (const [market, recipients] of [...counts].sort((a, b) => b[1] - a[1])) {
    const rate = rateOf(card, market, category);
    const micros = rate === null ? null : toMicros(rate) * recipients;
    if (micros === null) unpriced += recipients;
    else totalMicros += micros;
    lines.push({
      market,
      category,
      recipients,
      rate,
      cost: micros === null ? null : fromMicros(micros),
    });
  }
  return {
    currency: card.currency,
    total: fromMicros(totalMicros),
    card_effective: card.effective,
    upper_bound: true,
    unpriced_recipients: unpriced,
    by_market: lines,
  };
}

/** Meta's pricing object on a status, as Chorus keeps it per recipient (first one wins). */
export interface MessagePricing {
  category: string;
  /** regular | free_customer_service | free_entry_point (empty when Meta sent none). */
  type: string;
  /** Deprecated by Meta in favour of type + category; null when absent. */
  billable: boolean | null;
}

/**
 * Is a priced message billed? `type` decides (Meta deprecates `billable`);
 * without a type, `billable` does; with neither, it is billed (upper bound).
 */
export function isBilled(p: { type: string; billable: boolean | null }): boolean {
  if (p.type) return p.type === "regular";
  return p.billable !== false;
}

/** Priced messages of one kind, as the BroadcastDO counts them. */
export interface PricedMessages {
  /** YYYY-MM-DD (UTC) of the status that carried the pricing. */
  day: string;
  /** The recipient's calling code ("" when unknown); the card in force names its market. */
  callingCode: string;
  category: string;
  type: string;
  billable: boolean | null;
  messages: number;
}

export interface CostLine {
  market: string;
  category: string;
  /** Priced messages (billed or free). */
  messages: number;
  billable: number;
  rate: number | null;
  cost: number | null;
}

export interface Cost {
  currency: string;
  total: number;
  card_effective: string | null;
  billable_messages: number;
  free_messages: number;
  /** Free messages by Meta's `pricing.type` (free_entry_point, free_customer_service…). */
  free_by_type: Record<string, number>;
  /** Billable messages whose rate the card does not know, left out of `total`. */
  unpriced_messages: number;
  by_market: CostLine[];
}

/** What priced messages cost: billable ones × the card's rate, by market and category. */
export function costOf(card: RateCard | null, currency: string, priced: PricedMessages[]): Cost {
  const lines = new Map<string, CostLine>();
  const freeByType: Record<string, number> = {};
  let billableMessages = 0;
  let free = 0;
  let unpriced = 0;
  let totalMicros = 0;
  for (const p of priced) {
    const market = card ? marketOf(card, p.callingCode) : OTHER_MARKET;
    const key = `${market}\u0000${p.category}`;
    const rate = card ? rateOf(card, market, p.category) : null;
    const line = lines.get(key) ?? {
      market,
      category: p.category,
      messages: 0,
      billable: 0,
      rate,
      cost: rate === null ? null : 0,
    };
    line.messages += p.messages;
    if (isBilled(p)) {
      line.billable += p.messages;
      billableMessages += p.messages;
      if (rate === null) unpriced += p.messages;
      else totalMicros += toMicros(rate) * p.messages;
    } else {
      free += p.messages;
      const why = p.type || "not_billable";
      freeByType[why] = (freeByType[why] ?? 0) + p.messages;
    }
    lines.set(key, line);
  }
  for (const line of lines.values()) {
    if (line.rate !== null) line.cost = fromMicros(toMicros(line.rate) * line.billable);
  }
  return {
    currency: card?.currency ?? currency,
    total: fromMicros(totalMicros),
    card_effective: card?.effective ?? null,
    billable_messages: billableMessages,
    free_messages: free,
    free_by_type: freeByType,
    unpriced_messages: unpriced,
    by_market: [...lines.values()].sort((a, b) => b.messages - a.messages),
  };
}

export const USAGE_GROUPS = ["day", "broadcast", "market", "category"] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** Priced messages of one broadcast on one day, as D1's usage table keeps them. */
export interface UsageRow extends PricedMessages {
  broadcastId: string;
}

export interface UsageBucket {
  key: string;
  messages: number;
  billable_messages: number;
  free_messages: number;
  /** Over the billable messages whose rate is known. */
  cost: number;
  unpriced_messages: number;
}

/**
 * An account's totals grouped by `group`: each row priced with the card in
 * force on its own day, so a period across a card change is priced right.
 */
export function usageTotals(
  cards: RateCard[],
  currency: string,
  rows: UsageRow[],
  group: UsageGroup,
): { currency: string; total: number; buckets: UsageBucket[] } {
  const buckets = new Map<string, UsageBucket & { micros: number }>();
  let totalMicros = 0;
  for (const r of rows) {
    const card = cardInForce(cards, currency, r.day);
    const market = card ? marketOf(card, r.callingCode) : OTHER_MARKET;
    const key =
      group === "day"
        ? r.day
        : group === "broadcast"
          ? r.broadcastId
          : group === "market"
            ? market
            : r.category;
    const b = buckets.get(key) ?? {
      key,
      messages: 0,
      billable_messages: 0,
      free_messages: 0,
      cost: 0,
      unpriced_messages: 0,
      micros: 0,
    };
    b.messages += r.messages;
    if (isBilled(r)) {
      b.billable_messages += r.messages;
      const rate = card ? rateOf(card, market, r.category) : null;
      if (rate === null) b.unpriced_messages += r.messages;
      else {
        b.micros += toMicros(rate) * r.messages;
        totalMicros += toMicros(rate) * r.messages;
      }
    } else b.free_messages += r.messages;
    buckets.set(key, b);
  }
  return {
    currency,
    total: fromMicros(totalMicros),
    buckets: [...buckets.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ micros, ...b }) => ({ ...b, cost: fromMicros(micros) })),
  };
}
