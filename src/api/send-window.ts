/**
 * Sending-window options shared by both surfaces and the account settings:
 * the schemas (so every surface validates them alike) and how a broadcast's
 * own choice falls back to the account's default.
 */
import { z } from "@hono/zod-openapi";
import { isTimeZone, type SendWindow, windowProblem } from "../domain/send-window";

export const SendWindowSchema = z
  .object({
    start: z.string().openapi({ example: "09:00" }),
    end: z.string().openapi({ example: "20:00" }),
  })
  .superRefine((window, ctx) => {
    const problem = windowProblem(window);
    if (!problem) return;
    // "start must…"/"end must…" belong to that field; "start and end must differ" to the window.
    const field = /^(start|end) must/.exec(problem)?.[1];
    ctx.addIssue({
      code: "custom",
      message: field ? problem.slice(field.length + 1) : problem,
      path: field ? [field] : [],
    });
  })
  .openapi("SendWindow", {
    description:
      "Local hours in which recipients may be messaged (24-hour HH:MM; an end before the start wraps past midnight). Outside them a recipient waits, with its next_send_at, until its window opens.",
  });

export const WindowZoneSchema = z
  .string()
  .refine((zone) => zone === "recipient" || isTimeZone(zone), {
    message: "must be 'recipient' or an IANA time zone such as 'Europe/London'",
  })
  .openapi({
    example: "recipient",
    description:
      "Whose clock the window reads: 'recipient' (a contact's location zone, else the main zone of the number's country) or one IANA zone for everyone.",
  });

export interface AccountWindowDefault {
  sendWindow: string | null;
  windowTimezone: string;
}

/** A broadcast's window: its own when given (null: none), else the account's default. */
export function resolveSendWindow(
  requested: { window: SendWindow | null | undefined; zone: string | undefined },
  account: AccountWindowDefault | undefined,
): { sendWindow: SendWindow | null; windowZone: string } {
  const fallback = account?.sendWindow ? (JSON.parse(account.sendWindow) as SendWindow) : null;
  return {
    sendWindow: requested.window === undefined ? fallback : requested.window,
    windowZone: requested.zone ?? account?.windowTimezone ?? "recipient",
  };
}
