/**
 * The flow button (`flow_token`, `flow_action_data`) on the Broadcasts API:
 * `parameters.flow`, checked against the template, sent to the sandbox as
 * Meta's action (the sandbox refuses a malformed one) and delivered; and
 * v1's `flowParameters` (there already) end to end beside it.
 */
import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { validateTemplateMessage } from "../../sandbox/validate";
import { mobileNumber } from "../domain/phones";
import { setup } from "../engine";
import { api, bearer, jsonInit } from "../helpers";
import { sendAndDeliver, v1SendAndDeliver, v1Setup } from "./round-trip";

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

    const sent = await sendAndDeliver(s, body("class_booking_flow"));
    expect(sent.components).toContainEqual(flowButton(ACTION));
  });

  it("v1: flowParameters are sent as the same action and delivered", async () => {
    const s = await v1Setup(mobileNumber(93_002, "0"));
    const { sent } = await v1SendAndDeliver(s, {
      name: "Classes",
      template: { name: "class_booking_flow", language: "en" },
      flowParameters: { flowToken: ACTION.flow_token, flowData: ACTION.flow_action_data },
    });
    expect(sent.components).toContainEqual(flowButton(ACTION));
  });
});
