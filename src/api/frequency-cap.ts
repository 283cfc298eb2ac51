import { z } from "@hono/zod-openapi";
import { FREQUENCY_CAP_POLICIES, MAX_CAP_DAYS, MAX_CAP_MESSAGES } from "../domain/frequency-cap";

/** The broadcast option for a person at the account's frequency cap (domain/frequency-cap.ts). */
export const FrequencyCapPolicySchema = z.enum(FREQUENCY_CAP_POLICIES).openapi({
  description:
    "Extension: a person at the account's `marketingFrequencyCap` is `skip`ped (default: rejected at create, failed unsent at send, with the reason), or with `hold` kept pending until the oldest counted send ages out, never past valid_until",
});

/** The account setting: at most `messages` marketing templates per person per `days` days. */
export const FrequencyCapSettingSchema = z
  .object({
    messages: z.number().int().min(1).max(MAX_CAP_MESSAGES),
    days: z.number().int().min(1).max(MAX_CAP_DAYS),
  })
  .openapi("MarketingFrequencyCap", {
    description:
      "At most `messages` marketing templates per person in any `days` days, across every broadcast of the account on both surfaces (counted: templates Meta accepted); null: off (the default)",
    example: { messages: 2, days: 7 },
  });
