/**
 * The flow button (`flow_token`, `flow_action_data`) on the Broadcasts API:
 * `parameters.flow`, checked against the template, sent to the sandbox as
 * Meta's action (the sandbox refuses a malformed one) and delivered; and
 * v1's `flowParameters` (there already) end to end beside it.
 */
import { describe, expect, it, vi } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { validateTemplateMessage } from "../../sandbox/validate";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  sandboxMessages,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";

const ACTION = { flow_token: "booking-2026", flow_action_data: { class_id: "yoga-101" } };

const flowButton = (action: unknown) => ({
  type: "button",
  sub_type: "flow",
  index: "0",
  parameters: [{ type: "action", action }],
});

describe("flow buttons on the Broadcasts API", () => {
  it("the sandbox refuses an action whose token is not a string or whose data is not an object (132012)", () => {
    const t = BUILT_IN_TEMPLATES.find((x) => x.name === "class_booking_flow");
    if (!t) throw new Error("no class_booking_flow built-in");
    const body = { type: "body", parameters: [{ type: "text", text: "Ada" }] };
    const code = (action: unknown) =>
      validateTemplateMessage(t, [body, flowButton(action)])?.code ?? null;
    expect(code(ACTION)).toBeNull();
    expect(code({ flow_token: 7 })).toBe(132012);
    expect(code({ flow_action_data: "x" })).toBe(132012);
  });

  it("parameters.flow is sent as the flow button's action and delivered; on a template without one it is a 400", async () => {
    const s = await setup();
    const body = (template: string) => ({
      channel_type: "whatsapp",
      name: "Classes",
      template_name: template,
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: { body_order: ["Name"], flow: ACTION },
      recipients: [
        { identifier: mobileNumber(93_001, "0"), parameters: { body: { Name: "Ada" } } },
      ],
    });
    const refused = await api(
      "/broadcasts",
      jsonInit("POST", body("store_location"), bearer(s.account.key)),
    );
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("parameters.flow: the template has no flow button");

    const created = await createBroadcast(s, body("class_booking_flow"));
    expect(created).toMatchObject({ recipients: 1 });
    await waitForStatus(s, created.uuid, "completed");
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.components).toContainEqual(flowButton(ACTION));
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await details(s, created.uuid)).delivered === 1, {
      timeout: 10_000,
      interval: 200,
    });
  });

  it("v1: flowParameters are sent as the same action and delivered", async () => {
    const s = await setup();
    const key = apiKey(s.account.key);
    await expectStatus(
      await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
      200,
    );
    await expectStatus(
      await api(
        "/v1/contacts/bulk",
        jsonInit(
          "POST",
          { contacts: [{ phone: mobileNumber(93_002, "0"), firstName: "Ada" }] },
          key,
        ),
      ),
      200,
    );
    const created = await expectStatus(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          {
            name: "Classes",
            type: "client",
            template: { name: "class_booking_flow", language: "en" },
            bodyTextParameters: ["{{contact.firstName}}"],
            flowParameters: { flowToken: ACTION.flow_token, flowData: ACTION.flow_action_data },
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
    expect(sent.components).toContainEqual(flowButton(ACTION));
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await get()).deliveryStats.deliveredCount === 1, {
      timeout: 10_000,
      interval: 200,
    });
  });
});
