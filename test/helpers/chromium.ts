import puppeteer, { Browser, Page } from 'puppeteer-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findChromium } = require('../../scripts/ensure-chromium.js') as { findChromium: () => string | null };

/** The system's headless Chromium (scripts/ensure-chromium.js installs it; CHROME_PATH points elsewhere). */
export function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: run `node scripts/ensure-chromium.js` (npm test does) or set CHROME_PATH');
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export interface OpenedPage {
  page: Page;
  /** Script errors and console errors (a CSP violation is one), in order. */
  errors: string[];
  /** How often the page's main frame navigated (1 after opening: it was never reloaded). */
  navigations: () => number;
}

/** Opens `url` in a new 1280×900 tab and waits for `ready` (a selector) to match. */
export async function openPage(browser: Browser, url: string, ready: string): Promise<OpenedPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  let navigations = 0;
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations++);
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url);
  await page.waitForSelector(ready);
  return { page, errors, navigations: () => navigations };
}
