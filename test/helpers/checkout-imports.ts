/**
 * Runs documentation code (README blocks, examples/) against this checkout:
 * `'gatehouse'` and `'gatehouse/<subpath>'` are pointed at the sources the
 * package.json exports map builds them from, and the file is written inside
 * the checkout so its other imports (express, hono, …) resolve from node_modules.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const exportsMap = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  .exports as Record<string, { default: string }>;
const scratchRoot = fileURLToPath(new URL('../../node_modules/.cache/gatehouse-docs/', import.meta.url));

export function pointAtCheckout(code: string): string {
  return code.replace(/from 'gatehouse(\/[a-z-]+)?'/g, (_match, subpath: string | undefined) => {
    if (!subpath) return `from ${JSON.stringify(entry)}`;
    const target = exportsMap[`.${subpath}`]?.default
      .replace(/^\.\/dist\//, '../../')
      .replace(/\.js$/, '.ts');
    if (!target) throw new Error(`The code imports gatehouse${subpath}, which package.json does not export.`);
    return `from ${JSON.stringify(fileURLToPath(new URL(target, import.meta.url)))}`;
  });
}

/** Writes `code` (imports pointed at the checkout) to a new scratch directory; returns the file's path. */
export function writeScratchModule(code: string, name = 'example.mts'): { dir: string; file: string } {
  mkdirSync(scratchRoot, { recursive: true });
  const dir = mkdtempSync(join(scratchRoot, 'run-'));
  const file = join(dir, name);
  writeFileSync(file, pointAtCheckout(code));
  return { dir, file };
}
