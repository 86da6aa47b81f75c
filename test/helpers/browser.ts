/**
 * A real browser for the UI's end-to-end tests: the system's Chromium driven
 * by `playwright-core` (which ships no browser of its own), axe-core injected
 * for accessibility checks, and full-page screenshots kept for review.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
 * axe-core's violations on the page as it is now. The script is injected into
 * the page, so the page's context must have been created with `bypassCSP`
 * (the UI's CSP allows no script at all).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
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
