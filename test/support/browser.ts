// Browser tests of the console: Debian's Chromium driven by playwright-core (no browser
// download), headless, against the run's local cloud. Each page records what a person
// would see go wrong (console errors, uncaught exceptions, failed requests) and the test
// asserts there was none; screenshots go to test-results/console/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Where the browser is: OMS_CHROMIUM, or Debian's (apt-get install chromium). */
export const CHROMIUM = process.env.OMS_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
export const hasChromium = Boolean(CHROMIUM && existsSync(CHROMIUM));

export const SKIPPED_MESSAGE = [
  '',
  '!!! The console\'s browser tests (test/e2e/console*.test.ts) are SKIPPED: no Chromium on this machine.',
  '!!! Enable them with `sudo apt-get install chromium` (Debian/Ubuntu; .ci/run does it), or point',
  '!!! OMS_CHROMIUM at a Chromium or Chrome binary.',
  '',
].join('\n');

/** Says loudly, once per run, that the browser tests will be skipped (the e2e project's global setup calls it). */
export function warnIfNoChromium() {
  if (!hasChromium) console.warn(SKIPPED_MESSAGE);
}

/** Screenshots of the run, one per screen. */
export const SHOTS_DIR = resolve('test-results', 'console');

/**
 * The console uses the computer's own fonts (nothing to download, nothing re-flows). A bare
 * CI machine may have no Chinese font at all, so the browser gets the project's Noto Sans TC
 * (the vouchers' font) besides the system's: the zh-Hant screenshots show text, not boxes.
 */
function fontconfigWithNotoTc(): string {
  const fonts = dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-tc/package.json'));
  const dir = mkdtempSync(join(tmpdir(), 'oms-fonts-'));
  const file = join(dir, 'fonts.conf');
  writeFileSync(file, [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${join(fonts, '400Regular')}</dir>`,
    `  <dir>${join(fonts, '700Bold')}</dir>`,
    `  <cachedir>${join(dir, 'cache')}</cachedir>`,
    '</fontconfig>',
  ].join('\n'));
  return file;
}

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error(SKIPPED_MESSAGE);
  // The flags this machine needs: no sandbox (containers), no GPU, and nothing that calls
  // home (updates, sync, QUIC probes), so the only requests are the test's own.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, FONTCONFIG_FILE: fontconfigWithNotoTc() },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** console errors, page errors and failed requests seen so far, as lines */
  problems(): string[];
  /** how wide the document is (wider than the viewport: the page scrolls sideways) */
  documentWidth(): Promise<number>;
  /** a full-page screenshot at test-results/console/<name>.png; returns its path */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** default 1280×800 */
  viewport?: { width: number; height: number };
  /** the browser's language (navigator.languages), default en-GB */
  locale?: string;
  /** answers that are expected (a conflict the test provokes): `${status} ${path}` patterns */
  expected?: RegExp[];
}

/** A fresh browser context (its own storage) on the console of the local cloud at apiUrl. */
export async function openConsole(browser: Browser, apiUrl: string, opts: OpenOptions = {}): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, locale: opts.locale ?? 'en-GB' });
  const page = await context.newPage();
  const seen: string[] = [];
  const expected = (line: string) => opts.expected?.some((re) => re.test(line));
  page.on('console', (msg) => {
    // Chromium also logs every HTTP error answer as a console error: those are judged by status below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource: the server responded with a status of')) seen.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => seen.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // a poll cut short by leaving the page is not a failure a person sees
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') seen.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    const line = `${res.status()} ${new URL(res.url()).pathname}`;
    if (res.status() >= 400 && !expected(line)) seen.push(`HTTP ${line}`);
  });
  await page.goto(`${apiUrl}/console/`);
  mkdirSync(SHOTS_DIR, { recursive: true });
  return {
    page,
    context,
    problems: () => [...seen],
    documentWidth: () => page.evaluate<number>('document.documentElement.scrollWidth'),
    shot: async (name) => {
      const path = join(SHOTS_DIR, `${name}.png`);
      // from the top: the sticky header and nav are drawn where the page is scrolled to
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => context.close(),
  };
}

/**
 * Signs in as a staff role the way a person does: the console's sign-in button, the local
 * cloud's hosted UI (authorization code with PKCE), a role picked there, and back.
 */
export async function signInAs(c: ConsolePage, role: 'ops' | 'cs' | 'finance' | 'admin', name?: string) {
  await c.page.locator('button[data-sign-in="cognito"]').click();
  await c.page.waitForURL(/\/_local\/auth\/oauth2\/authorize\?/);
  if (name) await c.page.locator('input[name="username"]').fill(name);
  await c.page.locator(`button[data-role="${role}"]`).click();
  await c.page.locator('nav.side').waitFor();
}

/**
 * One Chromium for the describe block it is called in (started before its tests, closed
 * after them with every page it opened); returns how a test opens the console.
 */
export function consoleSession(apiUrl: () => string) {
  let browser: Browser;
  const open: ConsolePage[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => undefined);
    await browser?.close();
  });
  return async (opts?: OpenOptions): Promise<ConsolePage> => {
    const c = await openConsole(browser, apiUrl(), opts);
    open.push(c);
    return c;
  };
}
