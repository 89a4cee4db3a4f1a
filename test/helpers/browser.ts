/**
 * Headless Chromium for the browser tests and the screenshots: Debian's `chromium` (or BRIDGE_CHROMIUM), driven by
 * playwright-core. Where none is installed the browser tests are skipped, with the reason in their title.
 */
import { existsSync } from "node:fs";

import { chromium, type Browser, type Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium to drive, or undefined. */
export function findChromium(): string | undefined {
  const chosen = process.env.BRIDGE_CHROMIUM;
  if (chosen !== undefined && chosen !== "") return existsSync(chosen) ? chosen : undefined;
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/** Why the browser tests cannot run here. */
export const NO_CHROMIUM = `no Chromium at ${CANDIDATES.join(", ")} or BRIDGE_CHROMIUM (install it: apt-get install -y chromium)`;

export async function launchChromium(executablePath: string): Promise<Browser> {
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start
  return chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

/** The page's console errors and uncaught exceptions, collected while the test runs. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}
