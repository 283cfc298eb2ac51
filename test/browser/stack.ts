/**
 * The local stack for the browser tests (own ports and state), and Chromium:
 * Debian's, headless, with the flags this closed network needs. Without a
 * Chromium the tests are skipped, except under CI, where that is a failure.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import {
  killGroups,
  stackOptions,
  startStack as startLocalStack,
} from "../../scripts/dev-stack.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && process.env.CI) {
  throw new Error(`Chromium is missing at ${CHROMIUM}; .ci/run installs Debian's chromium package`);
}
if (!HAVE_CHROMIUM) {
  console.warn(
    `[browser] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

export const API = "http://localhost:8811";
export const SANDBOX = "http://localhost:8812";
export const KEY = "chorus-demo-key";
export const ARTIFACTS = "test-artifacts";

const options = stackOptions({
  apiPort: 8811,
  sandboxPort: 8812,
  stateDir: `${tmpdir()}/chorus-browser-${process.pid}`,
  quiet: true,
});
const children: ChildProcess[] = [];

export async function startStack(): Promise<void> {
  rmSync(options.stateDir as string, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  await startLocalStack(options, { onChild: (_name, child) => children.push(child) });
}

export function stopStack(): void {
  killGroups(children, "SIGKILL");
  rmSync(options.stateDir as string, { recursive: true, force: true });
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function apiCall(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Signs the page in with the demo key through the form, and waits for the broadcast list. */
export async function signIn(page: Page): Promise<void> {
  await page.goto(`${API}/dashboard/`);
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Broadcasts" }).waitFor();
}

/**
 * A test file's stack, browser and signed-in page: started before its tests,
 * stopped after them. The fields are filled once `beforeAll` has run.
 */
export function browserSession(viewport = { width: 1280, height: 1000 }) {
  const session = {} as { browser: Browser; page: Page };
  beforeAll(async () => {
    await startStack();
    session.browser = await launch();
    session.page = await session.browser.newPage({ viewport });
    await signIn(session.page);
  });
  afterAll(async () => {
    await session.browser?.close();
    stopStack();
  });
  return session;
}
