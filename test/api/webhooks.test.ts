import { describe, expect, it } from "vitest";
import { signBody } from "../../src/whatsapp/webhooks";
import { TEST_BINDINGS } from "../bindings";
import { api, expectStatus } from "../helpers";

function statusEnvelope(wamid: string) {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "waba",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "447000000000", phone_number_id: "999" },
              statuses: [
                {
                  id: wamid,
                  status: "delivered",
                  timestamp: "1700000000",
                  recipient_id: "447700900123",
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

async function post(body: string, signature: string | null) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return api("/webhooks/whatsapp", { method: "POST", headers, body });
}

describe("GET /webhooks/whatsapp (verification)", () => {
  it("echoes the challenge for the right token", async () => {
    const res = await api(
      `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${TEST_BINDINGS.WEBHOOK_VERIFY_TOKEN}&hub.challenge=12345`,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("12345");
  });

  it("answers 403 for a wrong token", async () => {
    const res = await api(
      "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345",
    );
    expect(res.status).toBe(403);
  });
});

describe("POST /webhooks/whatsapp (signature)", () => {
  it("accepts a body signed with the app secret", async () => {
    const body = statusEnvelope("wamid.valid");
    const res = await post(body, await signBody(body, TEST_BINDINGS.META_APP_SECRET));
    expect(await expectStatus(res, 200)).toEqual({ received: 1 });
  });

  it("rejects a missing, wrong or mangled signature with 401", async () => {
    const body = statusEnvelope("wamid.x");
    const good = await signBody(body, TEST_BINDINGS.META_APP_SECRET);
    for (const signature of [
      null,
      "",
      "sha256=",
      "sha256=zz",
      "md5=abc",
      await signBody(body, "other-secret"),
      good.toUpperCase(),
    ]) {
      const res = await post(body, signature);
      const out = await expectStatus(res, 401);
      expect(out.code).toBe("UNAUTHORIZED");
    }
  });

  it("rejects a body altered by one byte", async () => {
    const body = statusEnvelope("wamid.y");
    const signature = await signBody(body, TEST_BINDINGS.META_APP_SECRET);
    const altered = body.replace("delivered", "delivereD");
    expect(altered.length).toBe(body.length);
    await expectStatus(await post(altered, signature), 401);
  });

  it("refuses bodies far above Meta's sizes with 413", async () => {
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      pad: "x".repeat(2 * 1024 * 1024),
    });
    const res = await post(body, await signBody(body, TEST_BINDINGS.META_APP_SECRET));
    expect(res.status).toBe(413);
  });
});
