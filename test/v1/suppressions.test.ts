import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { suppress } from "../../src/db/suppressions";
import { api, apiKey, call, createAccount, expectStatus, randomPhone } from "../helpers";

const phone = randomPhone;

describe("/v1/suppressions", () => {
  it("adds, lists newest first with paging, gets and removes numbers", async () => {
    const account = await createAccount();
    const [a, b, c] = [phone(), phone(), phone()];
    const first = await call(
      account,
      "POST",
      "/v1/suppressions",
      { phone: `+${a}`, reason: "asked" },
      201,
    );
    expect(first).toMatchObject({ phone: `+${a}`, reason: "asked" });
    expect(Date.parse(first.createdAt)).not.toBeNaN();
    await new Promise((r) => setTimeout(r, 5));
    expect((await call(account, "POST", "/v1/suppressions", { phone: b }, 201)).reason).toBe(
      "manual",
    );
    await new Promise((r) => setTimeout(r, 5));
    // The engine's own opt-outs (a STOP reply) are on the same list.
    await suppress(env.DB, account.accountId, c, "opt-out");

    const res = await api("/v1/suppressions?limit=2", { headers: apiKey(account.key) });
    expect(res.headers.get("x-total-count")).toBe("3");
    expect((await expectStatus<any[]>(res, 200)).map((s) => s.phone)).toEqual([`+${c}`, `+${b}`]);
    expect(
      (await call(account, "GET", "/v1/suppressions?limit=2&page=2")).map((s: any) => s.phone),
    ).toEqual([`+${a}`]);

    expect(await call(account, "GET", `/v1/suppressions/${a}`)).toEqual(first);
    expect(await call(account, "GET", `/v1/suppressions/${encodeURIComponent(`+${a}`)}`)).toEqual(
      first,
    );
    expect(
      (await call(account, "POST", "/v1/suppressions", { phone: a, reason: "again" }, 409)).details,
    ).toContain(a);

    expect(await call(account, "DELETE", `/v1/suppressions/%2B${a}`)).toEqual({ success: true });
    await call(account, "GET", `/v1/suppressions/${a}`, undefined, 404);
    await call(account, "DELETE", `/v1/suppressions/${a}`, undefined, 404);
    expect(
      (await call(account, "GET", "/v1/suppressions")).map((s: any) => s.phone).sort(),
    ).toEqual([`+${b}`, `+${c}`].sort());
  });

  it("rejects a bad phone or reason with the field named", async () => {
    const account = await createAccount();
    for (const [body, field] of [
      [{}, "phone"],
      [{ phone: "123" }, "phone"],
      [{ phone: 447700900123 }, "phone"],
      [{ phone: "+44-7700" }, "phone"],
      [{ phone: phone(), reason: "" }, "reason"],
      [{ phone: phone(), reason: 5 }, "reason"],
    ] as const) {
      expect(
        (await call(account, "POST", "/v1/suppressions", body, 400)).details,
        JSON.stringify(body),
      ).toContain(field);
    }
    expect(
      (await call(account, "DELETE", "/v1/suppressions/abc", undefined, 400)).details,
    ).toContain("phone");
    expect(await call(account, "GET", "/v1/suppressions")).toEqual([]);
  });
});
