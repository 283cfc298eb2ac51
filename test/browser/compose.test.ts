/**
 * Composing in a real browser: a 500-row CSV with one invalid row is mapped
 * onto the holiday template, validated (the warning shows beside its row),
 * sent, and watched to 100%; the preview of a row says what the sandbox was
 * sent for it. Then the same by keyboard only, and at phone width.
 * Screenshots go to test-artifacts/.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  API,
  ARTIFACTS,
  apiCall,
  browserSession,
  HAVE_CHROMIUM,
  KEY,
  SANDBOX,
  signIn,
} from "./stack";

const PHONE_NUMBER_ID = "100000000000001";
const WABA = "200000000000001";
const ROWS = 500;
/** Row 138 (1-based, as the table numbers rows) has a number no country has. */
const BAD_ROW = 138;
// Ending in 0: none of the sandbox's scripted behaviours (1111 fails, 4444 is never read…).
const number = (i: number) => mobileNumber(200_000 + i, "0");

function holidayCsv(): string {
  const lines = ["phone,ref,name,time,place,offer,store"];
  for (let i = 1; i <= ROWS; i++) {
    const phone = i === BAD_ROW ? "12345" : number(i);
    lines.push(
      `${phone},ref-${i},Person ${i},18h00,"City Centre, stall ${i}",offer-${i},store-${i}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The live page's progress reaches 100% (the API's own counters, polled by the page). */
async function reachesFullProgress(page: Page) {
  await page.waitForURL(/#\/b\/[\w-]+$/);
  await expect
    .poll(() => page.getByTestId("progress").textContent(), { timeout: 90_000, interval: 500 })
    .toBe("100%");
}

/** What the sandbox accepted for a number: the template's body and URLs, filled with its parameters. */
async function sentMessage(to: string) {
  const sent: any = await (
    await fetch(`${SANDBOX}/__sandbox/messages?phone_number_id=${PHONE_NUMBER_ID}&to=${to}`)
  ).json();
  const templates: any = await (
    await fetch(`${SANDBOX}/__sandbox/templates?waba_id=${WABA}`)
  ).json();
  const message = sent.messages[0];
  const template = templates.data.find(
    (t: any) => t.name === message.template && t.language === message.language,
  );
  const params = (type: string, index?: number) =>
    message.components.find(
      (c: any) => c.type === type && (index === undefined || Number(c.index) === index),
    )?.parameters ?? [];
  const fill = (text: string, values: any[]) =>
    text.replace(/\{\{(\d+)\}\}/g, (_: string, n: string) => values[Number(n) - 1]?.text ?? "");
  const body = template.components.find((c: any) => c.type === "BODY").text;
  const buttons = template.components.find((c: any) => c.type === "BUTTONS").buttons;
  return {
    body: fill(body, params("body")),
    urls: buttons.map((b: any, i: number) => fill(b.url, params("button", i))),
  };
}

describe.skipIf(!HAVE_CHROMIUM)("compose in Chromium", () => {
  const session = browserSession();

  it("composes from a 500-row CSV: the invalid row's warning beside it, the preview as sent, the live page to 100%", async () => {
    const { page } = session;
    await page.getByRole("link", { name: "New broadcast" }).click();
    await page.getByLabel("Broadcast name").fill("Holiday from CSV");
    await page
      .getByLabel("Template (approved)")
      .selectOption({ label: "holiday_sale_template (en, marketing)" });
    await page.getByLabel("Or upload a CSV or XLSX file").setInputFiles({
      name: "holiday.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(holidayCsv()),
    });
    await page.getByRole("status").filter({ hasText: "500 rows from holiday.csv" }).waitFor();

    await page
      .getByLabel("header image link, the same for everyone")
      .fill("https://www.example.com/image.jpg");
    await page.getByLabel("body {{1}}", { exact: true }).selectOption({ label: "Column: name" });
    await page.getByLabel("body {{2}}", { exact: true }).selectOption({ label: "Column: time" });
    await page.getByLabel("body {{3}}", { exact: true }).selectOption({ label: "Column: place" });
    await page
      .getByLabel("button “See the offers” URL suffix", { exact: true })
      .selectOption({ label: "Column: offer" });
    await page
      .getByLabel("button “Find a store” URL suffix", { exact: true })
      .selectOption({ label: "Column: store" });
    await page.screenshot({ path: `${ARTIFACTS}/compose-mapped.png`, fullPage: true });

    await page.getByRole("button", { name: "Validate" }).click();
    await page.getByText("Validated: 1 row with warnings (not sent); 499 fine.").waitFor();
    await page.getByLabel(/Only rows with warnings/).check();
    const bad = page.locator(`tr[data-row="${BAD_ROW}"]`);
    await expect.poll(() => bad.locator("td").nth(1).textContent()).toBe("12345");
    expect(await bad.getByTestId("row-warnings").textContent()).toBe("Not a valid phone number");
    // The rows table's rows only (the estimate below it is a table too).
    expect(await page.locator("tbody tr[data-row]").count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/compose-validated.png`, fullPage: true });
    await page.getByLabel(/Only rows with warnings/).uncheck();

    // The preview of row 5, as WhatsApp would show it.
    await page.getByRole("button", { name: "Preview row 5", exact: true }).click();
    await expect.poll(() => page.locator("figcaption").textContent()).toBe(`Row 5: ${number(5)}`);
    const previewBody = await page.getByTestId("preview-body").textContent();
    const previewUrls = await page
      .getByTestId("preview-button")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-url")));
    expect(previewBody).toBe(
      "Hi Person 5, our holiday sale starts at 18h00 at City Centre, stall 5. See you there!",
    );
    expect(previewUrls).toEqual([
      "https://shop.example.com/offers/offer-5",
      "https://shop.example.com/stores/store-5",
    ]);

    await page.getByRole("button", { name: "Send", exact: true }).click();
    await reachesFullProgress(page);
    await page.getByRole("heading", { name: /Holiday from CSV/ }).waitFor();
    await expect.poll(() => page.locator('[data-step="rejected"] strong').textContent()).toBe("1");
    // The live page's charts: the send rate against the sender's cap, delivered/read over time.
    await page
      .getByRole("img", {
        name: /^Send rate: peak \d+\/s over \d+ s; Cap of \+447576209857: 80\/s$/,
      })
      .waitFor();
    await expect
      .poll(
        () =>
          page
            .getByRole("img", { name: /^Delivered and read over time/ })
            .getAttribute("aria-label"),
        { timeout: 90_000, interval: 500 },
      )
      .toMatch(/: 499 delivered, \d+ read$/);
    await page.locator(".chart canvas").nth(1).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/compose-live.png`, fullPage: true });

    const sent = await sentMessage(number(5));
    expect(sent.body).toBe(previewBody);
    expect(sent.urls).toEqual(previewUrls);
  });

  it("links a failure on the live page to the failed recipients", async () => {
    const { page } = session;
    const created = await apiCall("POST", "/broadcasts", {
      channel_type: "whatsapp",
      name: "With a failure",
      template_name: "hello_world",
      from: "447576209857",
      // The sandbox accepts a number ending in 1111, then reports it failed (131026).
      recipients: [number(801), mobileNumber(901, "1111"), number(802)].map((identifier) => ({
        identifier,
      })),
    });
    await page.goto(`${API}/dashboard/#/b/${created.uuid}`);
    const link = page.getByRole("link", { name: "See the failed recipients" });
    await link.waitFor({ timeout: 60_000 });
    await link.click();
    await expect.poll(() => page.getByLabel("Status", { exact: true }).inputValue()).toBe("failed");
    const rows = page.locator("table").last().locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(mobileNumber(901, "1111"));
    await page.screenshot({ path: `${ARTIFACTS}/live-failures.png`, fullPage: true });
  });

  it("composes with the keyboard only", async () => {
    const { browser } = session;
    const kb = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    /** Tabs forward until the focused element is the one wanted; fails after 80 presses. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 80; i++) {
        await kb.keyboard.press("Tab");
        const focused = kb.locator(selector).first();
        if (
          await focused
            .evaluate((el) => el === (globalThis as any).document.activeElement)
            .catch(() => false)
        )
          return;
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    await kb.goto(`${API}/dashboard/`);
    await tabTo("#key");
    await kb.keyboard.type(KEY);
    await kb.keyboard.press("Enter");
    await kb.getByRole("heading", { name: "Broadcasts" }).waitFor();
    await tabTo('a[href="#/new"]');
    await kb.keyboard.press("Enter");
    await tabTo("#c-name");
    await kb.keyboard.type("Keyboard hello");
    // Options arrive from the API; the select's type-ahead picks hello_world.
    await kb
      .locator('#c-template option:text-is("hello_world (en, utility)")')
      .waitFor({ state: "attached" });
    await tabTo("#c-template");
    await kb.keyboard.type("hello");
    await expect
      .poll(() => kb.locator("#c-template option:checked").textContent())
      .toBe("hello_world (en, utility)");
    await tabTo("#c-paste");
    await kb.keyboard.type(`${number(601)}\n${number(602)}\n${number(603)}`);
    await tabTo('button:text-is("Use pasted list")');
    await kb.keyboard.press("Enter");
    await kb.getByRole("status").filter({ hasText: "3 rows from the pasted list" }).waitFor();
    await tabTo('button:text-is("Validate")');
    await kb.keyboard.press("Enter");
    await kb.getByText("Validated: every row is fine.").waitFor();
    await kb.keyboard.press("Tab");
    expect(await kb.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe(
      "Send",
    );
    await kb.keyboard.press("Enter");
    await reachesFullProgress(kb);
    await kb.screenshot({ path: `${ARTIFACTS}/compose-keyboard-live.png`, fullPage: true });
    await kb.close();
  });

  it("fits a phone screen while composing", async () => {
    const { browser } = session;
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await signIn(phone);
    await phone.goto(`${API}/dashboard/#/new`);
    await phone
      .getByLabel("Template (approved)")
      .selectOption({ label: "product_carousel_template (en, marketing)" });
    await phone
      .getByLabel("Paste recipients")
      .fill(`phone,name\n${number(701)},Alex\n${number(702)},Sam`);
    await phone.getByRole("button", { name: "Use pasted list" }).click();
    await phone.getByRole("status").filter({ hasText: "2 rows" }).waitFor();
    expect(await phone.getByTestId("preview-card").count()).toBe(2);
    const overflow = await phone.evaluate<number>(
      "document.documentElement.scrollWidth - innerWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${ARTIFACTS}/compose-phone.png`, fullPage: true });
    await phone.close();
  });
});
