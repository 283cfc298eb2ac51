/**
 * The dashboard in a real browser: sign in with the demo key, watch a
 * broadcast sent through the API reach 100% live, read its funnel, cancel
 * another one from the page. Screenshots go to test-artifacts/.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  API,
  ARTIFACTS,
  apiCall,
  HAVE_CHROMIUM,
  KEY,
  launch,
  startStack,
  stopStack,
} from "./stack";

const SENDER = "447576209857";
const holiday = (count: number, extra: Record<string, unknown> = {}) => ({
  channel_type: "whatsapp",
  name: `Holiday Sale ${crypto.randomUUID().slice(0, 6)}`,
  template_name: "holiday_sale_template",
  locale: "en",
  from: SENDER,
  parameters: {
    header: { type: "image", value: "https://www.example.com/image.jpg" },
    body_order: ["Name", "Time", "Place"],
    button_order: ["url_1", "url_2"],
  },
  recipients: Array.from({ length: count }, (_, i) => ({
    // Ending in 0: none of the sandbox's scripted behaviours (1111 fails, 4444 is never read…).
    identifier: mobileNumber(300_000 + Math.floor(Math.random() * 1_000_000) + i, "0"),
    client_reference: `ref-${i}`,
    parameters: {
      body: { Name: `Person ${i}`, Time: "18h00", Place: "City Centre" },
      button: { url_1: `a-${i}`, url_2: `b-${i}` },
    },
  })),
  ...extra,
});

describe.skipIf(!HAVE_CHROMIUM)("dashboard in Chromium", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await startStack();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    stopStack();
  });

  it("signs in with the demo key, kept in session storage only", async () => {
    await page.goto(`${API}/dashboard/`);
    await page.getByLabel("API key").fill("not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("unknown or revoked");
    await page.getByLabel("API key").fill(KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Broadcasts" }).waitFor();
    expect(await page.evaluate<string | null>('sessionStorage.getItem("chorus.apiKey")')).toBe(KEY);
    expect(page.url()).not.toContain(KEY);
    expect((await page.context().cookies()).length).toBe(0);
  });

  it("shows a broadcast sent through the API reaching 100% live, with its funnel", async () => {
    const created = await apiCall("POST", "/broadcasts", holiday(200));
    await page.goto(`${API}/dashboard/#/b/${created.uuid}`);
    await page.getByRole("heading", { name: /Holiday Sale/ }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-sending.png`, fullPage: true });
    await expect
      .poll(() => page.getByTestId("progress").textContent(), { timeout: 60_000, interval: 500 })
      .toBe("100%");
    const sent = page.locator('[data-step="sent"] strong');
    await expect.poll(() => sent.textContent(), { timeout: 10_000 }).toBe("200");
    await expect
      .poll(() => page.locator('[data-step="read"] strong').textContent(), {
        // Reads arrive by the sandbox's webhooks, retried with backoff when the API is busy.
        timeout: 90_000,
        interval: 500,
      })
      .toBe("200");
    expect(await page.getByRole("img", { name: /Send rate: peak \d+\/s/ }).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-funnel.png`, fullPage: true });

    await page.goto(`${API}/dashboard/#/`);
    const row = page
      .getByRole("row", { name: new RegExp(created.uuid ? "Holiday Sale" : "") })
      .first();
    await row.waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-list.png`, fullPage: true });
  });

  it("cancels another broadcast from its page", async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const created = await apiCall("POST", "/broadcasts", holiday(5, { scheduled_for: later }));
    await page.goto(`${API}/dashboard/#/b/${created.uuid}`);
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect
      .poll(() => page.locator("h2 .status").textContent(), { timeout: 10_000 })
      .toBe("cancelled");
    expect((await apiCall("GET", `/broadcasts/${created.uuid}`)).status).toBe("cancelled");
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-cancelled.png`, fullPage: true });
  });

  it("fits a phone screen", async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await phone.goto(`${API}/dashboard/`);
    await phone.getByLabel("API key").fill(KEY);
    await phone.getByRole("button", { name: "Sign in" }).click();
    await phone.getByRole("heading", { name: "Broadcasts" }).waitFor();
    const overflow = await phone.evaluate<number>(
      "document.documentElement.scrollWidth - innerWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
    await phone.close();
  });
});
