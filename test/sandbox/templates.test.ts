/**
 * GET /{version}/{waba-id}/message_templates with Meta's paging, and
 * templates added per WABA through POST /__sandbox/templates.
 */
import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import {
  createNumber,
  errorOf,
  json,
  type Num,
  postJson,
  recipient,
  SANDBOX,
  sandboxFetch,
  send,
  sendOk,
  template,
  text,
  uniqueDigits,
} from "./helpers";

const list = (n: Num, query = "", token = n.accessToken) =>
  sandboxFetch(`/v23.0/${n.wabaId}/message_templates${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });

function addTemplate(wabaId: string, t: Record<string, unknown>) {
  return json(postJson("/__sandbox/templates", { waba_id: wabaId, template: t }));
}

describe("GET /{version}/{waba-id}/message_templates", () => {
  it("pages through every template with limit=2, following next and the after cursor", async () => {
    const n = await createNumber();
    await addTemplate(n.wabaId, {
      name: "custom_one",
      language: "en",
      components: [{ type: "BODY", text: "Hi {{1}}" }],
    });
    await addTemplate(n.wabaId, {
      name: "custom_two",
      language: "pt_BR",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Olá" }],
    });
    const total = BUILT_IN_TEMPLATES.length + 2;

    const seen: string[] = [];
    let url: string | undefined = `/v23.0/${n.wabaId}/message_templates?limit=2`;
    let pages = 0;
    while (url) {
      const page: any = await json(
        sandboxFetch(url.replace(SANDBOX, ""), {
          headers: { authorization: `Bearer ${n.accessToken}` },
        }),
      );
      pages++;
      expect(page.data.length).toBeGreaterThan(0);
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.paging.cursors).toEqual({
        before: expect.any(String),
        after: expect.any(String),
      });
      for (const t of page.data) {
        expect(Object.keys(t).sort()).toEqual(
          ["category", "components", "id", "language", "name", "parameter_format", "status"].sort(),
        );
        seen.push(`${t.name}/${t.language}`);
      }
      if (page.paging.next) {
        // `next` is absolute, and equals asking with the after cursor.
        expect(page.paging.next).toMatch(
          new RegExp(`^${SANDBOX}/v23.0/${n.wabaId}/message_templates\\?`),
        );
        const viaCursor: any = await json(
          list(n, `?limit=2&after=${encodeURIComponent(page.paging.cursors.after)}`),
        );
        const viaNext: any = await json(
          sandboxFetch(page.paging.next.replace(SANDBOX, ""), {
            headers: { authorization: `Bearer ${n.accessToken}` },
          }),
        );
        expect(viaCursor.data).toEqual(viaNext.data);
      }
      url = page.paging.next;
    }
    expect(pages).toBe(Math.ceil(total / 2));
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual(
      expect.arrayContaining([
        "custom_one/en",
        "custom_two/pt_BR",
        "holiday_sale_template/es",
        "pending_promo/en",
      ]),
    );
  });

  it("defaults to 25 a page, and filters by name, status and language", async () => {
    const n = await createNumber();
    const all: any = await json(list(n));
    expect(all.data).toHaveLength(Math.min(25, BUILT_IN_TEMPLATES.length));
    expect(all.paging.next).toBeUndefined();
    const holiday: any = await json(list(n, "?name=holiday_sale_template"));
    expect(holiday.data.map((t: any) => t.language).sort()).toEqual(["en", "es"]);
    expect(holiday.data[0]).toMatchObject({
      status: "APPROVED",
      category: "MARKETING",
      parameter_format: "POSITIONAL",
      components: expect.arrayContaining([
        expect.objectContaining({ type: "HEADER", format: "IMAGE" }),
      ]),
    });
    const pending: any = await json(list(n, "?status=PENDING"));
    expect(pending.data.map((t: any) => t.name)).toEqual(["pending_promo"]);
    const spanish: any = await json(list(n, "?language=es"));
    expect(spanish.data.map((t: any) => t.name)).toEqual(["holiday_sale_template"]);
  });

  it("needs the token of a number of that WABA; an unknown WABA is code 100", async () => {
    const n = await createNumber();
    const sibling = await createNumber({ waba_id: n.wabaId });
    const stranger = await createNumber();
    expect((await list(n, "", sibling.accessToken)).status).toBe(200);
    expect(await errorOf(list(n, "", stranger.accessToken))).toMatchObject({
      status: 401,
      code: 190,
    });
    expect(await errorOf(sandboxFetch(`/v23.0/${n.wabaId}/message_templates`))).toMatchObject({
      status: 401,
      code: 190,
    });
    const unknown = await errorOf(
      sandboxFetch(`/v23.0/${uniqueDigits()}/message_templates`, {
        headers: { authorization: `Bearer ${n.accessToken}` },
      }),
    );
    expect(unknown).toMatchObject({ status: 400, code: 100 });
    expect(await errorOf(list(n, "?after=not-a-cursor"))).toMatchObject({ status: 400, code: 100 });
  });
});

describe("templates added to a WABA", () => {
  it("can be sent at once, by every number of the WABA, and only there", async () => {
    const n = await createNumber();
    const sibling = await createNumber({ waba_id: n.wabaId });
    const stranger = await createNumber();
    const to = recipient();
    const payload = {
      to,
      type: "template",
      template: template("appointment_reminder", [
        { type: "body", parameters: [text("Alex"), text("9am")] },
      ]),
    };
    // Known to be missing first, so that a cached list would be stale.
    expect((await errorOf(send(n, payload))).code).toBe(132001);
    const added = await addTemplate(n.wabaId, {
      name: "appointment_reminder",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hi {{1}}, see you at {{2}}." }],
    });
    expect(added).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      status: "APPROVED",
      parameter_format: "POSITIONAL",
    });
    await sendOk(n, payload);
    await sendOk(sibling, payload);
    expect((await errorOf(send(stranger, payload))).code).toBe(132001);
    const wrongCount = {
      ...payload,
      template: template("appointment_reminder", [{ type: "body", parameters: [text("Alex")] }]),
    };
    expect((await errorOf(send(n, wrongCount))).code).toBe(132000);
  });

  it("replaces a built-in of the same name and language for that WABA: paused 132015, disabled 132016", async () => {
    const n = await createNumber();
    const to = recipient();
    const hello = { to, type: "template", template: template("hello_world") };
    await sendOk(n, hello);
    await addTemplate(n.wabaId, {
      name: "hello_world",
      language: "en",
      status: "PAUSED",
      components: [{ type: "BODY", text: "Hello" }],
    });
    expect((await errorOf(send(n, hello))).code).toBe(132015);
    await addTemplate(n.wabaId, {
      name: "hello_world",
      language: "en",
      status: "DISABLED",
      components: [{ type: "BODY", text: "Hello" }],
    });
    expect((await errorOf(send(n, hello))).code).toBe(132016);
    const page: any = await json(list(n, "?name=hello_world"));
    expect(page.data).toEqual([
      expect.objectContaining({ name: "hello_world", status: "DISABLED" }),
    ]);
    // Other WABAs keep the built-in.
    const other = await createNumber();
    await sendOk(other, hello);
  });

  it("refuses a malformed template with 400", async () => {
    const bad = [
      { waba_id: "x", template: { name: "a", language: "en", components: [] } },
      { waba_id: uniqueDigits(), template: { name: "Has Spaces", language: "en", components: [] } },
      { waba_id: uniqueDigits(), template: { name: "ok", components: [] } },
      {
        waba_id: uniqueDigits(),
        template: { name: "ok", language: "en", components: [], status: "LIVE" },
      },
    ];
    for (const body of bad) {
      expect((await postJson("/__sandbox/templates", body)).status, JSON.stringify(body)).toBe(400);
    }
  });
});
