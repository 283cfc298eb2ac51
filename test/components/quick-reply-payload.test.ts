/**
 * Quick-reply buttons carry a payload Chorus sets to name the broadcast and
 * recipient; Meta echoes it as the tap's `button.payload`, so a tap is
 * attributed even without `context` (sandbox behaviour `6061`: a user id, no
 * phone, no context), on both surfaces.
 */
import { describe, expect, it, vi } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { validateTemplateMessage } from "../../sandbox/validate";
import { callbackData } from "../../src/whatsapp/messages";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  sandboxMessages,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, expectStatus, jsonInit } from "../helpers";

const quickReply = (payload: string) => ({
  type: "button",
  sub_type: "quick_reply",
  index: "0",
  parameters: [{ type: "payload", payload }],
});

describe("quick-reply payloads", () => {
  it("the sandbox refuses an empty quick-reply payload (131008)", () => {
    const t = BUILT_IN_TEMPLATES.find((x) => x.name === "order_update");
    if (!t) throw new Error("no order_update built-in");
    const rest = [
      { type: "header", parameters: [{ type: "text", text: "#1" }] },
      {
        type: "body",
        parameters: [
          { type: "text", text: "Ada" },
          { type: "text", text: "today" },
        ],
      },
    ];
    expect(validateTemplateMessage(t, [...rest, quickReply("x")])).toBeNull();
    expect(validateTemplateMessage(t, [...rest, quickReply("")])?.code).toBe(131008);
  });

  it("Broadcasts API: each message's quick reply names its broadcast and recipient; a tap without context is a reply", async () => {
    const s = await setup();
    const tapper = mobileNumber(1, "6061");
    const created = await createBroadcast(s, {
      channel_type: "whatsapp",
      name: "Orders",
      template_name: "order_update",
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: {
        header: { type: "text", value: "#1234" },
        body_order: ["Name", "When"],
      },
      recipients: [{ identifier: tapper, parameters: { body: { Name: "Ada", When: "today" } } }],
    });
    await waitForStatus(s, created.uuid, "completed");
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    const reference = callbackData(s.account.accountId, created.uuid, 0);
    expect(sent.components).toContainEqual(quickReply(reference));
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () => {
        const d = await details(s, created.uuid);
        return d.delivered === 1 && d.replied === 1;
      },
      { timeout: 10_000, interval: 200 },
    );
  });

  it("v1: the quick reply's payload names the broadcast and contact; a tap without context counts as replied", async () => {
    const s = await setup();
    const key = apiKey(s.account.key);
    await expectStatus(
      await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
      200,
    );
    const phone = mobileNumber(2, "6061");
    await expectStatus(
      await api(
        "/v1/contacts/bulk",
        jsonInit("POST", { contacts: [{ phone, firstName: "Ada" }] }, key),
      ),
      200,
    );
    const created = await expectStatus(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          {
            name: "Orders",
            type: "client",
            template: { name: "order_update", language: "en" },
            headerTextParameters: ["#1234"],
            bodyTextParameters: ["{{contact.firstName}}", "today"],
          },
          key,
        ),
      ),
      200,
    );
    const get = async () =>
      expectStatus(await api(`/v1/broadcasts/${created.id}`, { headers: key }), 200);
    await vi.waitUntil(async () => (await get()).status === "completed", {
      timeout: 20_000,
      interval: 200,
    });
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.components).toContainEqual(quickReply(sent.biz_opaque_callback_data));
    expect(sent.biz_opaque_callback_data).toMatch(
      new RegExp(`^c1:${s.account.accountId}:${created.id}:\\d+$`),
    );
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () => {
        const { deliveryStats } = await get();
        return deliveryStats.deliveredCount === 1 && deliveryStats.repliedCount === 1;
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});
