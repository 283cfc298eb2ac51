/**
 * What a broadcast costs, in the dashboard: the broadcast page shows the
 * estimate and, once Meta's statuses priced the messages, the cost; the
 * Usage page charts cost per day and lists it by market.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import { API, ARTIFACTS, apiCall, browserSession, HAVE_CHROMIUM } from "./stack";

const SENDER = "447576209857";
const COUNT = 5;
/** The built-in card's UK marketing rate (src/domain/rate-card.json). */
const UK_MARKETING = 0.0529;

describe.skipIf(!HAVE_CHROMIUM)("cost in the dashboard", () => {
  const session = browserSession();

  it("shows a broadcast's estimate and cost, and the account's usage over time", async () => {
    const start = 500_000 + Math.floor(Math.random() * 1_000_000);
    const created = await apiCall("POST", "/broadcasts", {
      channel_type: "whatsapp",
      name: `Winter sale ${crypto.randomUUID().slice(0, 6)}`,
      template_name: "holiday_sale_template",
      locale: "en",
      from: SENDER,
      parameters: {
        header: { type: "image", value: "https://www.example.com/image.jpg" },
        body_order: ["Name", "Time", "Place"],
        button_order: ["url_1", "url_2"],
      },
      recipients: Array.from({ length: COUNT }, (_, i) => ({
        // Ending in 0: none of the sandbox's scripted behaviours.
        identifier: mobileNumber(start + i, "0"),
        parameters: {
          body: { Name: `P${i}`, Time: "18h00", Place: "City" },
          button: { url_1: `a${i}`, url_2: `b${i}` },
        },
      })),
    });
    const total = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency: "USD",
      minimumFractionDigits: 2,
      maximumFractionDigits: 4,
    }).format(COUNT * UK_MARKETING);
    expect(created.estimate.total).toBe(COUNT * UK_MARKETING);

    // Meta's statuses price every message within seconds of the send.
    const deadline = Date.now() + 60_000;
    while ((await apiCall("GET", `/broadcasts/${created.uuid}`)).cost.billable_messages < COUNT) {
      if (Date.now() > deadline) throw new Error("the messages were never priced");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const { page } = session;
    await page.goto(`${API}/dashboard/#/b/${created.uuid}`);
    await expect
      .poll(() => page.getByTestId("cost").textContent(), { timeout: 10_000 })
      .toContain(total);
    expect(await page.getByTestId("estimate").textContent()).toContain(`At most ${total}`);
    await page.screenshot({ path: `${ARTIFACTS}/cost-broadcast.png`, fullPage: true });

    await page.getByRole("link", { name: "Usage" }).click();
    // The usage rows reach D1 with the broadcast's next flush: a reload shows
    // them. The demo account is shared with the other browser tests' broadcasts,
    // so its total holds this one's cost at least.
    const dollars = (text: string | null) => Number((text ?? "").replace(/[^0-9.]/g, ""));
    await expect
      .poll(
        async () => {
          await page.reload();
          return dollars(await page.getByTestId("usage-total").textContent({ timeout: 5_000 }));
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBeGreaterThanOrEqual(dollars(total));
    expect(await page.getByRole("img", { name: /Cost per day from/ }).count()).toBe(1);
    expect(await page.getByRole("row", { name: /United Kingdom/ }).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/cost-usage.png`, fullPage: true });
  });
});
