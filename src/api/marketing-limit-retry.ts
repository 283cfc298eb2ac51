import { z } from "@hono/zod-openapi";
import { MARKETING_LIMIT_RETRY_POLICIES } from "../domain/marketing-limit";

/** The broadcast option for Meta's per-user marketing limit (domain/marketing-limit.ts). */
export const MarketingLimitRetrySchema = z.enum(MARKETING_LIMIT_RETRY_POLICIES).openapi({
  description:
    "Extension: on Meta's per-user marketing limit (131049), `next_day` (default) puts the recipient back for 24 h, at most 2 more times and never past valid_until; `none` fails it at once",
});
