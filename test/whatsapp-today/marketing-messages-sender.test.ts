/**
 * The Marketing Messages API (item 1 of issue 18), the sender's side: a
 * recategorised template switches path (W14), a 131063 on /messages pauses
 * the sender until it uses the API (W15), and the v1 surface sends and logs
 * through it.
 */
import { describe, expect, it, vi } from "vitest";
import {
  createBroadcast,
  deliverWebhooks,
  holidayBody,
  sandbox,
  sandboxMessages,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, bearer, call, expectStatus, jsonInit } from "../helpers";
import { marketingSetup, person, recipients, untilSubmitted } from "./marketing-messages-helpers";

describe("Marketing Messages API: the sender and v1", () => {
  it("W14: a template_category_update switches the template's path for the next broadcast", async () => {
    const s = await marketingSetup();
    const first = person();
    const before = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [first]));
    await untilSubmitted(s, before.uuid, 1);
    expect((await recipients(s, before.uuid))[first].endpoint).toBe("marketing_messages");

    await sandbox(
      "/__sandbox/templates/category",
      jsonInit("POST", {
        phone_number_id: s.number.phoneNumberId,
        name: "holiday_sale_template",
        language: "en",
        new_category: "UTILITY",
      }),
    );
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () => {
        const list = await call(s.account, "GET", "/v1/templates?limit=100");
        const rows = Array.isArray(list) ? list : list.data;
        return rows.some(
          (t: any) =>
            t.name === "holiday_sale_template" && t.language === "en" && t.category === "UTILITY",
        );
      },
      { timeout: 10_000, interval: 200 },
    );
    const second = person();
    const after = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [second]));
    await untilSubmitted(s, after.uuid, 1);
    expect((await recipients(s, after.uuid))[second].endpoint).toBe("messages");
    const sent = (await sandboxMessages(s.number.phoneNumberId)).find((m) => m.wa_id === second);
    expect(sent).toMatchObject({ endpoint: "messages", attempts: 1 });
  }, 30_000);

  it("W15: 131063 on /messages pauses the sender's broadcasts with the setting to change; switched, the resume goes through the API", async () => {
    const s = await setup({ sandbox: { failure_mode: "marketing_api_required" } });
    const who = person();
    const created = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [who]));
    const paused = await waitForStatus(s, created.uuid, "paused", 15_000);
    expect(paused.pause_reason).toMatch(/^131063: /);
    expect(paused.pause_reason).toContain("set the sender's marketingApi to marketing_messages");
    expect(await sandboxMessages(s.number.phoneNumberId)).toEqual([]);

    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, {
      marketingApi: "marketing_messages",
    });
    // The consumer reads the sender at most every few seconds: the resume comes after that.
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/resume`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      200,
    );
    await untilSubmitted(s, created.uuid, 1);
    expect((await recipients(s, created.uuid))[who]).toMatchObject({
      endpoint: "marketing_messages",
    });
  }, 40_000);

  it("v1: a marketing broadcast of such a sender goes through the Marketing Messages API; its logs say so", async () => {
    const s = await marketingSetup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    const phone = person();
    await call(s.account, "POST", "/v1/contacts/bulk", {
      contacts: [{ phone, firstName: "Mia" }],
    });
    const promo = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Promo",
      type: "client",
      template: { name: "class_booking_flow", language: "en" },
      bodyTextParameters: ["{{contact.firstName}}"],
    });
    let logs: any[] = [];
    await vi.waitUntil(
      async () => {
        const page = await expectStatus(
          await api(`/v1/broadcasts/${promo.id}/logs`, { headers: apiKey(s.account.key) }),
          200,
        );
        logs = Array.isArray(page) ? page : page.data;
        return logs.some((l) => l.endpoint !== undefined);
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(logs[0]).toMatchObject({ status: "sent", endpoint: "marketing_messages" });
    const sent = (await sandboxMessages(s.number.phoneNumberId)).find((m) =>
      phone.endsWith(m.wa_id),
    );
    expect(sent).toMatchObject({ template: "class_booking_flow", endpoint: "marketing_messages" });
  }, 30_000);
});
