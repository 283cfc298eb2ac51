/**
 * The audience page in a real browser: a 1,000-row contacts CSV with two bad
 * rows is imported and its report names both; a segment is made of the
 * import; contacts are searched; a number is suppressed and released; the
 * page fits a phone. Screenshots go to test-artifacts/.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import { API, ARTIFACTS, browserSession, HAVE_CHROMIUM, KEY, signIn } from "./stack";

const ROWS = 1_000;
/** 1-based data rows: one number no country has, one repeating row 10's number. */
const INVALID_ROW = 250;
const REPEAT_ROW = 700;
const number = (i: number) => `+${mobileNumber(400_000 + i)}`;

function contactsCsv(): string {
  const lines = ["phone,first_name,last_name,tier"];
  for (let i = 1; i <= ROWS; i++) {
    const phone = i === INVALID_ROW ? "12345" : i === REPEAT_ROW ? number(10) : number(i);
    lines.push(`${phone},First${i},Last${i},gold`);
  }
  return `${lines.join("\n")}\n`;
}

async function v1(path: string): Promise<any> {
  const res = await fetch(`${API}${path}`, { headers: { "x-api-key": KEY } });
  return res.json();
}

describe.skipIf(!HAVE_CHROMIUM)("audience in Chromium", () => {
  const session = browserSession();

  it("imports 1,000 contacts, reports the two bad rows, and makes a segment of the import", async () => {
    const { page } = session;
    await page.getByRole("link", { name: "Audience" }).click();
    await page.getByLabel("CSV or XLSX file (a title row first)").setInputFiles({
      name: "contacts.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(contactsCsv()),
    });
    await page.getByRole("button", { name: "Import 1000 contacts" }).click();
    await expect
      .poll(() => page.getByTestId("import-summary").textContent(), { timeout: 30_000 })
      .toBe("998 created, 0 updated, 2 rejected.");
    const rejected = page.getByRole("table", { name: "Rejected rows" }).locator("tbody tr");
    expect(await rejected.count()).toBe(2);
    expect(await rejected.nth(0).getAttribute("data-row")).toBe(String(INVALID_ROW));
    expect(await rejected.nth(0).textContent()).toContain("12345");
    expect(await rejected.nth(1).getAttribute("data-row")).toBe(String(REPEAT_ROW));
    expect(await rejected.nth(1).textContent()).toContain(number(10));
    await expect.poll(() => page.locator("caption").first().textContent()).toBe("998 contacts");

    await page.getByLabel(/Make a segment of these 998 contacts/).fill("Imported gold");
    await page.getByRole("button", { name: "Create segment" }).click();
    await page.getByText("Segment “Imported gold” has 998 contacts.").waitFor({ timeout: 30_000 });
    const segments = await v1("/v1/segments?searchText=Imported%20gold");
    expect(segments.map((s: any) => s.contactCount)).toEqual([998]);
    await page.screenshot({ path: `${ARTIFACTS}/audience-import.png`, fullPage: true });
  });

  it("searches contacts", async () => {
    const { page } = session;
    await page.getByLabel("Search").fill("First421");
    await expect.poll(() => page.locator("caption").first().textContent()).toBe("1 contact");
    expect(await page.getByRole("cell", { name: number(421) }).count()).toBe(1);
    await page.getByLabel("Search").fill("");
  });

  it("suppresses a number and releases it", async () => {
    const { page } = session;
    const phone = number(5_000);
    await page.getByLabel("Phone (with country code)").fill(phone);
    await page.getByLabel("Reason").fill("asked by phone");
    await page.getByRole("button", { name: "Suppress" }).click();
    await page.getByRole("button", { name: `Remove ${phone}` }).waitFor();
    expect((await v1("/v1/suppressions")).map((s: any) => s.phone)).toContain(phone);
    await page.screenshot({ path: `${ARTIFACTS}/audience-suppressions.png`, fullPage: true });
    await page.getByRole("button", { name: `Remove ${phone}` }).click();
    await page.getByRole("button", { name: `Remove ${phone}` }).waitFor({ state: "detached" });
    expect((await v1("/v1/suppressions")).map((s: any) => s.phone)).not.toContain(phone);
  });

  it("fits a phone screen", async () => {
    const { browser } = session;
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await signIn(phone);
    await phone.goto(`${API}/dashboard/#/contacts`);
    await expect.poll(() => phone.locator("caption").first().textContent()).toBe("998 contacts");
    const overflow = await phone.evaluate<number>(
      "document.documentElement.scrollWidth - innerWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${ARTIFACTS}/audience-phone.png`, fullPage: true });
    await phone.close();
  });
});
