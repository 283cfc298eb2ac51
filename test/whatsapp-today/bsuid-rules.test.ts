/**
 * Business-scoped user ids, the pure rules (item 8 of issue 18): the shape,
 * how a recipient is addressed, and what each phone-based rule makes of a
 * user id (market, zone, US block); 131062 fails that recipient only; a
 * webhook naming a person by user id alone is kept, never dropped.
 */
import { describe, expect, it } from "vitest";
import { recipientRefusal } from "../../sandbox/behaviours";
import { parseMessage } from "../../sandbox/validate";
import { isBusinessUserId, looksLikeBusinessUserId } from "../../src/domain/business-user-id";
import { callingCodeOf } from "../../src/domain/calling-code";
import { countByCallingCode } from "../../src/domain/cost";
import { isUsNumber } from "../../src/domain/marketing-rules";
import { BSUID_UNSUPPORTED_CODE, errorRule } from "../../src/domain/meta-errors";
import { addressOf } from "../../src/domain/recipients";
import { zoneOfPhone } from "../../src/domain/send-window";
import { templatePayload } from "../../src/whatsapp/messages";
import { splitEnvelope } from "../../src/whatsapp/webhooks";

const UID = "US.13491208655302741918";

describe("business-scoped user ids: rules", () => {
  it("the shape: CC. and 1 to 128 letters or digits", () => {
    expect(isBusinessUserId(UID)).toBe(true);
    expect(isBusinessUserId(`GB.${"a1".repeat(64)}`)).toBe(true);
    expect(isBusinessUserId(`GB.${"1".repeat(129)}`)).toBe(false);
    expect(isBusinessUserId("us.123")).toBe(false);
    expect(isBusinessUserId("US.")).toBe(false);
    expect(isBusinessUserId("US.12-3")).toBe(false);
    expect(looksLikeBusinessUserId("us.123")).toBe(true);
    expect(looksLikeBusinessUserId("+44 7592 850122")).toBe(false);
  });

  it("a recipient's address: a user id is kept as given, a malformed one names the field, a phone as before", () => {
    expect(addressOf(UID)).toEqual({ ok: true, digits: UID });
    const bad = addressOf("US.12-3");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^identifier: a business-scoped user id is/);
    expect(addressOf("+44 7592 850122")).toMatchObject({ ok: true, digits: "447592850122" });
  });

  it("sent as `recipient` instead of `to`; a phone still as `to` with '+'", () => {
    const base = {
      templateName: "hello_world",
      language: "en",
      components: null,
      callbackData: "c",
    };
    const toUser = templatePayload({ ...base, to: UID });
    expect(toUser).toMatchObject({ recipient: UID });
    expect(toUser).not.toHaveProperty("to");
    const toPhone = templatePayload({ ...base, to: "447592850122" });
    expect(toPhone).toMatchObject({ to: "+447592850122" });
    expect(toPhone).not.toHaveProperty("recipient");
  });

  it("phone rules read the prefix's country: market (calling code), zone, the US marketing block", () => {
    expect(callingCodeOf(UID)).toBe("1");
    expect(callingCodeOf("GB.123")).toBe("44");
    expect(callingCodeOf("ZZ.123")).toBe(""); // no such country: market "Other"
    expect(countByCallingCode([UID, "GB.1", "447592850122"])).toEqual([
      { callingCode: "1", recipients: 1 },
      { callingCode: "44", recipients: 2 },
    ]);
    expect(zoneOfPhone("GB.123")).toBe(zoneOfPhone("447592850122"));
    expect(zoneOfPhone("ZZ.123")).toBe("UTC");
    expect(isUsNumber(UID)).toBe(true);
    expect(isUsNumber("CA.123")).toBe(false);
  });

  it("131062 fails only that recipient: no retry, no pause", () => {
    expect(BSUID_UNSUPPORTED_CODE).toBe(131062);
    expect(errorRule(131062, 400).action).toBe("fail");
  });

  it("webhooks naming the person by user id only are kept (status, reply, STOP)", () => {
    const events = splitEnvelope({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "waba",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550001", phone_number_id: "pn1" },
                statuses: [
                  {
                    id: "wamid.A",
                    status: "delivered",
                    timestamp: "1790000000",
                    recipient_user_id: UID,
                    biz_opaque_callback_data: "c1:acct:bc:3",
                  },
                ],
                contacts: [{ profile: { name: "Pat" }, user_id: UID }],
                messages: [
                  {
                    from_user_id: UID,
                    id: "wamid.B",
                    timestamp: "1790000001",
                    type: "text",
                    text: { body: "STOP" },
                    context: { from: "15550001", id: "wamid.A" },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(events).toEqual([
      expect.objectContaining({
        kind: "status",
        wamid: "wamid.A",
        recipientId: "",
        recipientUserId: UID,
        broadcast: { accountId: "acct", broadcastId: "bc", seq: 3 },
      }),
      expect.objectContaining({
        kind: "message",
        from: "",
        userId: UID,
        text: "STOP",
        contextId: "wamid.A",
      }),
    ]);
  });

  it("sandbox W16/W17: `recipient` stands in for `to` (to wins), a malformed one is code 100, 1062 is 131062", () => {
    const base = { messaging_product: "whatsapp", type: "text", text: { body: "hi" } };
    expect(parseMessage({ ...base, recipient: UID })).toMatchObject({
      ok: true,
      value: { to: "", digits: UID, userId: UID },
    });
    expect(parseMessage({ ...base, to: "447592850122", recipient: UID })).toMatchObject({
      ok: true,
      value: { digits: "447592850122", userId: null },
    });
    expect(parseMessage({ ...base, recipient: "US.1-2" })).toMatchObject({
      ok: false,
      error: { code: 100 },
    });
    expect(recipientRefusal("GB.991062", 1, "GB.991062")).toMatchObject({ code: 131062 });
    expect(recipientRefusal("447592851062", 1, null)).toBeNull();
  });
});
