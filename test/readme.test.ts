/**
 * The README's library examples are programs: each TypeScript block that calls
 * `createAuth` is run as written (with `'gatehouse'` and its subpaths pointed at this checkout),
 * in a scratch directory, and must exit 0 printing what its comments promise.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const exportsMap = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  .exports as Record<string, { default: string }>;

/** `'gatehouse'` and `'gatehouse/<subpath>'` pointed at this checkout's sources. */
function pointAtCheckout(code: string): string {
  return code.replace(/from 'gatehouse(\/[a-z-]+)?'/g, (_match, subpath: string | undefined) => {
    if (!subpath) return `from ${JSON.stringify(entry)}`;
    const target = exportsMap[`.${subpath}`]?.default.replace(/^\.\/dist\//, '../').replace(/\.js$/, '.ts');
    if (!target) throw new Error(`README imports gatehouse${subpath}, which package.json does not export.`);
    return `from ${JSON.stringify(fileURLToPath(new URL(target, import.meta.url)))}`;
  });
}
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const scratchRoot = fileURLToPath(new URL('../node_modules/.cache/gatehouse-readme/', import.meta.url));

const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((match) => match[1] ?? '')
  .filter((code) => code.includes('createAuth('));

describe('README examples', () => {
  it('has runnable examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((code, i) => [i + 1, code] as const))(
    'example %i runs and prints what it promises',
    async (_n, code) => {
      // Inside the checkout, so that the example's other imports (express, …) resolve from node_modules.
      mkdirSync(scratchRoot, { recursive: true });
      const dir = mkdtempSync(join(scratchRoot, 'example-'));
      try {
        const file = join(dir, 'example.mts');
        writeFileSync(file, pointAtCheckout(code));
        const { stdout } = await run(tsx, [file], { cwd: dir, env: { ...process.env, DATABASE_URL: '' } });
        // `console.log(x); // expected` comments state the output.
        const promised = [...code.matchAll(/console\.log\(.*\); \/\/ "?([^"\n:]+?)"?(?::.*)?$/gm)].map(
          (m) => m[1],
        );
        for (const text of promised) expect(stdout).toContain(text);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
