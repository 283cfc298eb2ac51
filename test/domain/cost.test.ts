import { describe, expect, it } from "vitest";
import { callingCodeOf } from "../../src/domain/calling-code";
import {
  builtInCard,
  cardInForce,
  costOf,
  countByCallingCode,
  estimateCost,
  marketOf,
  type RateCard,
  usageTotals,
} from "../../src/domain/cost";
import { parseRateCardCsv } from "../../src/domain/cost-csv";

const card = builtInCard();

const loaded = (effective: string, marketing: number): RateCard => ({
  currency: "USD",
  effective,
  source: "test",
  loaded: true,
  markets: [
    { market: "United Kingdom", callingCodes: ["44"], rates: { marketing } },
    { market: "Other", callingCodes: [], rates: { marketing: 0.1 } },
  ],
});

describe("markets", () => {
  it("finds a number's calling code and its market on the card", () => {
    expect(callingCodeOf("447700900123")).toBe("44");
    expect(callingCodeOf("919876543210")).toBe("91");
    expect(callingCodeOf("5511987654321")).toBe("55");
    expect(callingCodeOf("14155550123")).toBe("1");
    expect(callingCodeOf("97150123456")).toBe("971");
    expect(marketOf(card, "44")).toBe("United Kingdom");
    expect(marketOf(card, "1")).toBe("North America");
    expect(marketOf(card, "971")).toBe("Other");
    expect(marketOf(card, "")).toBe("Other");
  });
});

describe("the built-in card", () => {
  it("has only the figures REFERENCE.md gives, every other one unknown", () => {
    expect(card.currency).toBe("USD");
    expect(card.effective).toBe("2025-07-01");
    const marketing = Object.fromEntries(card.markets.map((m) => [m.market, m.rates.marketing]));
    expect(marketing).toEqual({
      "North America": 0.025,
      India: 0.0118,
      Brazil: 0.0625,
      "United Kingdom": 0.0529,
      Other: null,
    });
    for (const m of card.markets) expect(m.rates.utility).toBeNull();
  });
});

describe("estimateCost", () => {
  it("prices every recipient at the list rate, exactly, and says it is an upper bound", () => {
    const numbers = [
      ...Array.from({ length: 400 }, (_, i) => `9198765${String(i).padStart(5, "0")}`),
      ...Array.from({ length: 350 }, (_, i) => `55119876${String(i).padStart(5, "0")}`),
      ...Array.from({ length: 250 }, (_, i) => `447700${String(i).padStart(6, "0")}`),
    ];
    const e = estimateCost(card, "marketing", countByCallingCode(numbers));
    expect(e.total).toBe(39.82); // 400 × 0.0118 + 350 × 0.0625 + 250 × 0.0529
    expect(e.upper_bound).toBe(true);
    expect(e.by_market).toEqual([
      { market: "India", category: "marketing", recipients: 400, rate: 0.0118, cost: 4.72 },
      { market: "Brazil", category: "marketing", recipients: 350, rate: 0.0625, cost: 21.875 },
      {
        market: "United Kingdom",
        category: "marketing",
        recipients: 250,
        rate: 0.0529,
        cost: 13.225,
      },
    ]);
  });

  it("leaves an unknown rate out of the total and counts who it covers", () => {
    const e = estimateCost(card, "utility", countByCallingCode(["447700900123", "97150123456"]));
    expect(e.total).toBe(0);
    expect(e.unpriced_recipients).toBe(2);
    expect(e.by_market.every((l) => l.rate === null && l.cost === null)).toBe(true);
  });
});

describe("cardInForce", () => {
  const cards = [card, loaded("2026-01-01", 0.06), loaded("2025-07-01", 0.05)];
  it("takes the latest card effective on or before the day, a loaded one before the built-in", () => {
    expect(cardInForce(cards, "USD", "2025-06-30T23:59:59Z")).toBeNull();
    expect(cardInForce(cards, "USD", "2025-09-01T10:00:00Z")?.markets[0]?.rates.marketing).toBe(
      0.05,
    );
    expect(cardInForce(cards, "USD", "2026-01-01T00:00:00Z")?.effective).toBe("2026-01-01");
    expect(cardInForce(cards, "EUR", "2026-01-01")).toBeNull();
  });
});

describe("costOf", () => {
  it("bills regular messages and counts free ones by why", () => {
    const cost = costOf(card, "USD", [
      {
        day: "2026-11-30",
        callingCode: "44",
        category: "marketing",
        type: "regular",
        billable: true,
        messages: 10,
      },
      {
        day: "2026-11-30",
        callingCode: "44",
        category: "marketing",
        type: "free_entry_point",
        billable: false,
        messages: 3,
      },
      // No type: the deprecated `billable` decides.
      {
        day: "2026-11-30",
        callingCode: "91",
        category: "marketing",
        type: "",
        billable: false,
        messages: 2,
      },
    ]);
    expect(cost.total).toBe(0.529);
    expect(cost.billable_messages).toBe(10);
    expect(cost.free_messages).toBe(5);
    expect(cost.free_by_type).toEqual({ free_entry_point: 3, not_billable: 2 });
    expect(cost.by_market[0]).toEqual({
      market: "United Kingdom",
      category: "marketing",
      messages: 13,
      billable: 10,
      rate: 0.0529,
      cost: 0.529,
    });
  });
});

describe("usageTotals", () => {
  it("prices each day with the card then in force", () => {
    const cards = [card, loaded("2026-01-01", 0.06)];
    const row = (day: string, broadcastId: string) => ({
      broadcastId,
      day,
      callingCode: "44",
      category: "marketing",
      type: "regular",
      billable: true,
      messages: 100,
    });
    const byDay = usageTotals(
      cards,
      "USD",
      [row("2025-12-31", "a"), row("2026-01-01", "b")],
      "day",
    );
    expect(byDay.total).toBe(11.29); // 100 × 0.0529 + 100 × 0.06
    expect(byDay.buckets.map((b) => [b.key, b.cost])).toEqual([
      ["2025-12-31", 5.29],
      ["2026-01-01", 6],
    ]);
    const byMarket = usageTotals(cards, "USD", [row("2025-12-31", "a")], "market");
    expect(byMarket.buckets[0]?.key).toBe("United Kingdom");
  });
});

describe("parseRateCardCsv", () => {
  it("reads Meta's layout: a preamble, a Market header, figures, Free and n/a", () => {
    const csv = [
      "\uFEFFWhatsApp Business Platform rate card,,,,",
      "Effective July 1 2026,,,,",
      "Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service",
      "United Kingdom,USD,$0.0529,0.0220,0.0220,n/a,Free",
      '"Rest of Western Europe",USD,0.0592,0.0220,0.0220,0.0600,Free',
      "Other,USD,0.0604,0.0077,0.0077,0.0425,Free",
    ].join("\r\n");
    const parsed = parseRateCardCsv(csv);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.markets[0]).toEqual({
      market: "United Kingdom",
      callingCodes: ["44"],
      rates: {
        marketing: 0.0529,
        utility: 0.022,
        authentication: 0.022,
        "authentication-international": null,
        service: 0,
      },
    });
    expect(parsed.unmappedMarkets).toEqual(["Rest of Western Europe"]);
    expect(parsed.markets[2]?.market).toBe("Other");
  });

  it("names the row and column of a figure that is not a rate", () => {
    const parsed = parseRateCardCsv("Market,Marketing\nIndia,cheap\n");
    expect(parsed).toEqual({
      ok: false,
      error: "csv: row 2 (India), column Marketing: 'cheap' is not a rate",
    });
    expect(parseRateCardCsv("a,b\n1,2").ok).toBe(false);
  });
});
