/**
 * The rate cards operators loaded from Meta's CSVs. Every card is kept by
 * its effective day, so a past broadcast is priced with the card then in force.
 */
import { eq } from "drizzle-orm";
import { builtInCard, type MarketRates, type RateCard } from "../domain/cost";
import { database } from "./client";
import { rateCards } from "./cost-schema";

export interface LoadedCard {
  currency: string;
  effective: string;
  source: string;
  markets: MarketRates[];
}

/** Keeps a card; one of the same currency and day is replaced. */
export async function saveRateCard(d1: D1Database, card: LoadedCard): Promise<void> {
  const row = {
    currency: card.currency,
    effective: card.effective,
    source: card.source,
    markets: JSON.stringify(card.markets),
    loadedAt: new Date().toISOString(),
  };
  await database(d1)
    .insert(rateCards)
    .values(row)
    .onConflictDoUpdate({
      target: [rateCards.currency, rateCards.effective],
      set: { source: row.source, markets: row.markets, loadedAt: row.loadedAt },
    });
}

/** Every card of a currency: the loaded ones and the built-in one (cardInForce picks). */
export async function rateCardsOf(d1: D1Database, currency: string): Promise<RateCard[]> {
  const rows = await database(d1).select().from(rateCards).where(eq(rateCards.currency, currency));
  const loaded: RateCard[] = rows.map((r) => ({
    currency: r.currency,
    effective: r.effective,
    source: r.source,
    markets: JSON.parse(r.markets) as MarketRates[],
    loaded: true,
  }));
  const builtIn = builtInCard();
  return builtIn.currency === currency ? [...loaded, builtIn] : loaded;
}
