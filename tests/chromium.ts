/**
 * The browser the page tests open reports in: Debian's Chromium at /usr/bin/chromium (.ci/run
 * installs it), or another Chromium-based binary named by WAFERSIM_CHROMIUM. The page is loaded
 * from disk; every request but the page itself is recorded and refused, so no test reaches a
 * network.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WAFERSIM_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly consoleMessages: string[];
  readonly pageErrors: string[];
  readonly requests: string[];
  readonly failedRequests: string[];
}

/** Opens `file` in headless Chromium with a profile under `dir`. */
export async function openPage(file: string, dir: string): Promise<OpenedPage> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Chromium (apt-get install -y chromium, as .ci/run does) or set WAFERSIM_CHROMIUM to a Chromium binary`,
    );
  }
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const pageUrl = pathToFileURL(file).href;
  await context.route('**/*', (route) =>
    route.request().url() === pageUrl ? route.continue() : route.abort('blockedbyclient'),
  );
  const opened: OpenedPage = {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    consoleMessages: [],
    pageErrors: [],
    requests: [],
    failedRequests: [],
  };
  const { page } = opened;
  page.on('console', (m) => opened.consoleMessages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => opened.pageErrors.push(e.message));
  page.on('request', (r) => opened.requests.push(r.url()));
  page.on('requestfailed', (r) => opened.failedRequests.push(r.url()));
  await page.goto(pageUrl, { waitUntil: 'load' });
  return opened;
}
