/**
 * The README's library examples are programs: each TypeScript block that calls
 * `createAuth` is run as written (with `'gatehouse'` and its subpaths pointed at this checkout),
 * in a scratch directory, and must exit 0 printing what its comments promise.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeScratchModule } from './helpers/checkout-imports.js';

const run = promisify(execFile);
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

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
      const { dir, file } = writeScratchModule(code);
      try {
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
