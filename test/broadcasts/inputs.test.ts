/**
 * Issue 16, items 13 to 15: inputs a client of the seed sends. The seed's
 * default locale `en` against templates approved as en_US/en_GB; a numeric
 * client_reference; the seed's error texts on every path.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import { helloBody, type Setup, sandbox, sandboxMessages, setup, waitForStatus } from "../engine";
import { api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";

/** Adds a no-variable template in `languages` to the setup's WABA, then syncs. */
async function templateIn(s: Setup, name: string, languages: string[]) {
  for (const language of languages) {
    await sandbox(
      "/__sandbox/templates",
      jsonInit("POST", {
        waba_id: s.sender.wabaId,
        template: {
          name,
          language,
          status: "APPROVED",
          category: "UTILITY",
          components: [{ type: "BODY", text: `Hello (${language})` }],
        },
      }),
    );
  }
  await expectStatus(
    await api(
      "/v1/templates/sync",
      jsonInit("POST", { senderId: s.sender.id }, apiKey(s.account.key)),
    ),
    200,
  );
}

const post = (s: Setup, body: unknown) =>
  api("/broadcasts", jsonInit("POST", body, bearer(s.account.key)));

describe("locale", () => {
  it("item 13: the seed's default 'en' uses the one approved English variant; several or none is a 404 naming the languages", async () => {
    const s = await setup();
    const base = Math.floor(Math.random() * 50_000);
    await templateIn(s, "promo_us_only", ["en_US"]);
    await templateIn(s, "promo_two", ["en_US", "en_GB"]);
    await templateIn(s, "promo_spanish", ["es"]);

    // No `locale`: the seed's default, en. Only en_US exists, so en_US is sent.
    const only = { ...helloBody(s.sender.phoneNumber, [mobileNumber(base, "0")]) };
    only.template_name = "promo_us_only";
    const created = await expectStatus(await post(s, only), 202);
    await waitForStatus(s, created.uuid, "completed");
    const sent = (await sandboxMessages(s.number.phoneNumberId)).filter(
      (m) => m.template === "promo_us_only",
    );
    expect(sent.map((m) => m.language)).toEqual(["en_US"]);

    const two = { ...only, template_name: "promo_two" };
    const several = await expectStatus(await post(s, two), 404);
    expect(several.details).toContain("en_GB, en_US");
    const spanish = await expectStatus(
      await post(s, { ...only, template_name: "promo_spanish" }),
      404,
    );
    expect(spanish.details).toContain("es");
    // The v1 surface resolves the same way (its template.language defaults to en too).
    await expectStatus(
      await api(
        `/v1/senders/${s.sender.id}`,
        jsonInit("PUT", { isDefault: true }, apiKey(s.account.key)),
      ),
      200,
    );
    const v1 = await expectStatus(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          { name: "v1", type: "client", status: "draft", template: { name: "promo_us_only" } },
          apiKey(s.account.key),
        ),
      ),
      200,
    );
    expect(v1.template).toEqual({ name: "promo_us_only", language: "en_US" });
    const v1Several = await expectStatus(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          { name: "v1", type: "client", template: { name: "promo_two" } },
          apiKey(s.account.key),
        ),
      ),
      400,
    );
    expect(v1Several.details).toContain("en_GB, en_US");
    // An exact language still wins over variants.
    await templateIn(s, "promo_two", ["en"]);
    await expectStatus(await post(s, two), 202);
  });
});

describe("client_reference", () => {
  it("item 14: a number is stored as its decimal string; any other non-string is that recipient's error, not the request's", async () => {
    const s = await setup();
    const base = Math.floor(Math.random() * 50_000);
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => mobileNumber(base + i, "0")) as [
      string,
      string,
      string,
      string,
    ];
    const body = helloBody(s.sender.phoneNumber, [a, b, c, d], {
      scheduled_for: new Date(Date.now() + 24 * 3600_000).toISOString(),
    });
    const refs: unknown[] = [12345, { id: 7 }, true, "ref-d"];
    body.recipients = body.recipients.map((r, i) => ({
      ...r,
      client_reference: refs[i] as string,
    }));

    const validated = await expectStatus(
      await api("/broadcasts/validate", jsonInit("POST", body, bearer(s.account.key))),
      200,
    );
    const created = await expectStatus(await post(s, body), 202);
    for (const answer of [validated, created]) {
      expect(answer.warnings.recipients).toEqual([
        { identifier: b, errors: ["client_reference: must be a string or a number"] },
        { identifier: c, errors: ["client_reference: must be a string or a number"] },
      ]);
    }
    expect(created).toMatchObject({ recipients: 2, rejected_recipients: 2 });
    const page = await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients`, { headers: bearer(s.account.key) }),
      200,
    );
    const byIdentifier = Object.fromEntries(
      page.recipients.map((r: any) => [r.identifier, r.client_reference]),
    );
    expect(byIdentifier).toMatchObject({ [a]: "12345", [d]: "ref-d" });
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/cancel`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      200,
    );
  });
});

describe("the seed's error texts", () => {
  it("item 15: create, validate and cancel 400s, and the recipients/message_statuses 404s, say what the seed says on every path", async () => {
    const s = await setup();
    const auth = bearer(s.account.key);
    const good = helloBody(s.sender.phoneNumber, [
      mobileNumber(Math.floor(Math.random() * 50_000), "0"),
    ]);
    const expectError = async (
      res: Response,
      status: number,
      message: string,
      details?: RegExp,
    ) => {
      const body = await expectStatus(res, status);
      expect(body.message, JSON.stringify(body)).toBe(message);
      if (details) expect(body.details).toMatch(details);
    };
    const scheduled = "Broadcast could not be scheduled";
    for (const path of ["/broadcasts", "/broadcasts/validate"]) {
      // A schema failure, malformed JSON, a bad date, a wrong channel: all the seed's 400.
      const { name: _name, ...nameless } = good;
      await expectError(await api(path, jsonInit("POST", nameless, auth)), 400, scheduled, /name/);
      await expectError(await api(path, jsonInit("POST", "{not json", auth)), 400, scheduled);
      await expectError(
        await api(path, jsonInit("POST", { ...good, valid_until: "2000-01-01T00:00:00Z" }, auth)),
        400,
        scheduled,
        /valid_until/,
      );
      await expectError(
        await api(path, jsonInit("POST", { ...good, channel_type: "sms" }, auth)),
        400,
        scheduled,
        /channel_type/,
      );
    }
    const created = await expectStatus(await post(s, good), 202);
    await waitForStatus(s, created.uuid, "completed");
    const cancel = (uuid: string) =>
      api(`/broadcasts/${uuid}/cancel`, { method: "POST", headers: auth });
    await expectError(
      await cancel(created.uuid),
      400,
      "Broadcast could not be cancelled",
      /completed/,
    );
    await expectError(
      await cancel("x".repeat(65)),
      400,
      "Broadcast could not be cancelled",
      /uuid/,
    );
    await expectError(await cancel(crypto.randomUUID()), 404, "Resource not found");

    const missing = "Broadcast or recipients not found";
    await expectError(
      await api(`/broadcasts/${crypto.randomUUID()}/recipients`, { headers: auth }),
      404,
      missing,
    );
    await expectError(
      await api(
        "/broadcasts/message_statuses",
        jsonInit(
          "POST",
          { filters: { broadcastUuid: crypto.randomUUID() }, limit: 10, offset: 0 },
          auth,
        ),
      ),
      404,
      missing,
      /broadcastUuid/,
    );
    await expectError(
      await api(`/broadcasts/${crypto.randomUUID()}`, { headers: auth }),
      404,
      "Resource not found",
    );
  });
});
