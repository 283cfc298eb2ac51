/**
 * What create and validate share: resolve the sender and template, check the
 * parameters against the template, and validate every recipient.
 */
import type { Context } from "hono";
import { marketingRulesFor } from "../../db/marketing-opt-outs";
import type { Sender, Template } from "../../db/schema";
import { loadSuppressed } from "../../db/suppressions";
import type { FrequencyCapPolicy } from "../../domain/frequency-cap";
import { marketingBlock } from "../../domain/marketing-rules";
import { planParameters } from "../../domain/parameters";
import {
  type AcceptedRecipient,
  type RejectedRecipient,
  validateRecipients,
} from "../../domain/recipients";
import { languagesHint } from "../../domain/template-language";
import { cappedPeople } from "../../engine/frequency-cap";
import { resolveSenderAndTemplate } from "../../engine/sender-and-template";
import type { AppEnv } from "../../env";
import { ChorusError } from "../../errors";
import type { CreateBroadcastBody } from "./schemas";

export const NOT_SCHEDULED = "Broadcast could not be scheduled";

export interface PreparedBroadcast {
  sender: Sender;
  template: Template;
  scheduledAt: Date;
  validUntil: Date | null;
  accepted: AcceptedRecipient[];
  rejected: RejectedRecipient[];
}

const fail = (details: string) => new ChorusError("BAD_REQUEST", NOT_SCHEDULED, details);

/**
 * `requireAccepted`: a create with no acceptable recipient is a 400; validate
 * answers 200 with every recipient's warnings instead (it is a report).
 */
export async function prepareBroadcast(
  c: Context<AppEnv>,
  body: Omit<CreateBroadcastBody, "client_unique_identifier">,
  options: { requireAccepted: boolean },
): Promise<PreparedBroadcast> {
  const { accountId } = c.get("account");

  const now = Date.now();
  const requested = body.scheduled_for ? new Date(body.scheduled_for) : null;
  const scheduledAt = requested && requested.getTime() > now ? requested : new Date(now);
  const validUntil = body.valid_until ? new Date(body.valid_until) : null;
  if (validUntil && validUntil.getTime() <= now) {
    throw fail(`valid_until: ${body.valid_until} is already in the past`);
  }
  if (validUntil && validUntil.getTime() <= scheduledAt.getTime()) {
    throw fail("valid_until: must be later than scheduled_for");
  }

  const from = body.from.trim().replace(/^\+/, "");
  const found = await resolveSenderAndTemplate(
    c.env.DB,
    accountId,
    { phoneNumber: from },
    { name: body.template_name, language: body.locale },
  );
  if (!found.ok) {
    switch (found.problem) {
      case "no_sender":
      case "no_location":
        throw new ChorusError(
          "NOT_FOUND",
          "Resource not found",
          `from: no sender ${from} in this account`,
        );
      case "no_template":
        throw new ChorusError(
          "NOT_FOUND",
          "Resource not found",
          `template_name: no template '${body.template_name}' in locale '${body.locale}' for sender ${from}${languagesHint(found.languages)}`,
        );
      case "not_approved":
        throw fail(
          `template_name: template '${found.template.name}' (${found.template.language}) is ${found.template.status}, not APPROVED`,
        );
    }
  }
  const { sender, template } = found;

  const planned = planParameters(found.analysis, body.parameters);
  if (!planned.ok) throw fail(planned.errors.join("; "));

  const suppressed = await loadSuppressed(c.env.DB, accountId);
  const rules = await marketingRulesFor(c.env.DB, accountId, template.category);
  const validated = validateRecipients(planned.plan, body.recipients, {
    suppressed,
    blocked: (digits) => marketingBlock(digits, template.category, rules),
  });
  const { accepted, rejected } = await withoutCapped(c, validated, {
    category: template.category,
    policy: body.frequency_cap,
    validUntil: validUntil?.toISOString() ?? null,
  });
  if (options.requireAccepted && accepted.length === 0) {
    const sample = rejected
      .slice(0, 5)
      .map((r) => `recipients[${r.index}] (${r.identifier}): ${r.errors.join(", ")}`)
      .join("; ");
    throw fail(
      `No recipient is valid. ${sample}${rejected.length > 5 ? `; and ${rejected.length - 5} more` : ""}`,
    );
  }
  return { sender, template, scheduledAt, validUntil, accepted, rejected };
}

/**
 * The account's frequency cap at create and validate: a person already at it
 * is rejected with the reason naming the cap, unless the broadcast holds them
 * (`frequency_cap: "hold"`: accepted, the send-time check holds them until allowed).
 */
async function withoutCapped(
  c: Context<AppEnv>,
  recipients: { accepted: AcceptedRecipient[]; rejected: RejectedRecipient[] },
  input: {
    category: string;
    policy: FrequencyCapPolicy | undefined;
    validUntil: string | null;
  },
): Promise<{ accepted: AcceptedRecipient[]; rejected: RejectedRecipient[] }> {
  if (input.policy === "hold") return recipients;
  const capped = await cappedPeople(c.env, {
    accountId: c.get("account").accountId,
    category: input.category,
    people: recipients.accepted.map((r) => r.identifier),
    policy: "skip",
    validUntil: input.validUntil,
    except: null,
  });
  if (capped.size === 0) return recipients;
  const accepted: AcceptedRecipient[] = [];
  const rejected = [...recipients.rejected];
  for (const r of recipients.accepted) {
    const verdict = capped.get(r.identifier);
    if (!verdict) accepted.push(r);
    else
      rejected.push({
        index: r.index,
        identifier: r.identifier,
        clientReference: r.clientReference,
        errors: [verdict.reason],
      });
  }
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, rejected };
}
