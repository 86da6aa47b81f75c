/**
 * A real browser for the UI's end-to-end tests: the system's Chromium driven
 * by `playwright-core` (which ships no browser of its own), axe-core injected
 * for accessibility checks, and full-page screenshots kept for review.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether the system's Chromium is there; the browser suites skip, never fail, without it. */
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where screenshots go: `test-results/screenshots/` at the repository's root (git-ignored). */
export const SCREENSHOT_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-results',
  'screenshots',
);

/** A full-page PNG of `page` as `{name}.png`; returns the file's path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** An element as the tests read it inside `page.evaluate` (the project compiles without the DOM lib). */
export interface PageElement {
  id: string;
  tagName: string;
  textContent: string | null;
  matches(selector: string): boolean;
  getBoundingClientRect(): { left: number; top: number };
}

/**
 * The few browser globals the tests use inside `page.evaluate`, typed here
 * rather than pulling the DOM lib into the whole (Node) program:
 * `const { document } = globalThis as unknown as PageGlobals;`.
 */
export interface PageGlobals {
  document: { activeElement: PageElement | null; documentElement: PageElement };
  getComputedStyle(element: PageElement): {
    outlineStyle: string;
    outlineWidth: string;
    backgroundColor: string;
  };
  performance: { getEntriesByType(type: 'navigation'): { startTime: number; responseEnd: number }[] };
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

let axeSource: string | null = null;

/**
 * axe-core's violations on the page as it is now. The script is evaluated
 * through the DevTools protocol, which the page's CSP does not govern, so the
 * page keeps its real CSP.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as PageGlobals & {
      axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> };
    };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: AxeViolation) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

/** The violations as readable lines, for a failing assertion's message or the log. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes
          .map((n) => `    ${JSON.stringify(n.target)} ${n.html}\n      ${n.failureSummary ?? ''}`)
          .join('\n')}`,
    )
    .join('\n');
}

/** How a page fits its viewport's width (see {@link widthReport}). */
export interface WidthReport {
  /** The viewport's width in CSS pixels. */
  viewport: number;
  /** How far the page itself scrolls sideways: 0 when it does not. */
  pageOverflow: number;
  /** Elements reaching past the viewport's right edge outside any box that scrolls sideways, for the failure message. */
  offenders: string[];
  /** Each box matching the selector: the width of what it holds, and the width it shows. */
  scrollBoxes: { scrollWidth: number; clientWidth: number }[];
}

/**
 * Whether the page fits its viewport's width: how far the document scrolls
 * sideways, which elements stick out (ignoring those inside a box that
 * scrolls on its own), and the widths of the boxes matching `scrollBoxes`
 * (e.g. the tables' scrolling regions).
 */
export async function widthReport(page: Page, scrollBoxes: string): Promise<WidthReport> {
  return page.evaluate((selector) => {
    interface Box {
      tagName: string;
      id: string;
      className: string;
      scrollWidth: number;
      clientWidth: number;
      parentElement: Box | null;
      getBoundingClientRect(): { right: number; width: number };
    }
    const { document, getComputedStyle } = globalThis as unknown as {
      document: { documentElement: Box; querySelectorAll(selector: string): Iterable<Box> };
      getComputedStyle(element: Box): { overflowX: string };
    };
    const root = document.documentElement;
    const viewport = root.clientWidth;
    const scrollsItself = (element: Box) => {
      for (let at = element.parentElement; at && at !== root; at = at.parentElement) {
        const overflow = getComputedStyle(at).overflowX;
        if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') return true;
      }
      return false;
    };
    const offenders: string[] = [];
    for (const element of document.querySelectorAll('body *')) {
      const { right, width } = element.getBoundingClientRect();
      if (width > 0 && right > viewport + 1 && !scrollsItself(element)) {
        offenders.push(
          `<${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
            typeof element.className === 'string' && element.className
              ? `.${element.className.split(' ').join('.')}`
              : ''
          }> right edge ${Math.round(right)}px`,
        );
      }
    }
    return {
      viewport,
      pageOverflow: root.scrollWidth - viewport,
      offenders: offenders.slice(0, 20),
      scrollBoxes: [...document.querySelectorAll(selector)].map((box) => ({
        scrollWidth: box.scrollWidth,
        clientWidth: box.clientWidth,
      })),
    };
  }, scrollBoxes);
}

/** Whether a script URL is one of the pre-built pages' passkey scripts (the pages' only JavaScript). */
export function isPasskeyScript(url: string): boolean {
  return /\/ui\/assets\/(webauthn|passkeys)-[0-9a-f]{10}\.js$/.test(new URL(url).pathname);
}

/** A selector for `<script>` elements other than the passkey scripts. */
export const NON_PASSKEY_SCRIPTS =
  'script:not([src*="/ui/assets/webauthn-"]):not([src*="/ui/assets/passkeys-"])';

/** A port free on loopback right now, for a server that must know its URL (`publicUrl`) before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Runs `action` (a click, an Enter) and waits until the document it navigates to has loaded. */
export async function navigating(page: Page, action: () => Promise<void>): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
    timeout: 10_000,
  });
  await action();
  await navigated;
  await page.waitForLoadState('load');
}
