/**
 * The pages' only JavaScript, for passkeys: `@simplewebauthn/browser`'s UMD
 * build and `passkey-script.js`, which wires the elements the pages mark.
 * Both are read once, served from this origin under their content hash and
 * cached for a year; pages that load them allow scripts and fetches from
 * this origin only (`pageHeaders`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// This module runs from src/ui/ in development and from dist/src/ui/ once built; the script ships in src/ui/.
const SCRIPT = [
  new URL('./passkey-script.js', import.meta.url),
  new URL('../../../src/ui/passkey-script.js', import.meta.url),
];

export interface PasskeyAssets {
  /** The scripts' URLs, in the order a page loads them. */
  readonly urls: readonly string[];
  /** The answer for one of `urls`, or null for any other path. */
  serve(path: string): Response | null;
}

/** Reads the scripts and names them under `assetBase` (e.g. `/auth/ui/assets`). */
export function passkeyAssets(assetBase: string): PasskeyAssets {
  // The package exports only its modules: its bundle is found from the CommonJS entry (script/index.js).
  const browserPackage = join(
    dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
    '..',
  );
  const script = SCRIPT.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  if (!script)
    throw new Error('The passkey script (src/ui/passkey-script.js) is missing from the installation.');
  const files = [
    {
      name: 'webauthn',
      text: readFileSync(join(browserPackage, 'dist', 'bundle', 'index.umd.min.js'), 'utf8'),
    },
    { name: 'passkeys', text: readFileSync(script, 'utf8') },
  ].map(({ name, text }) => ({
    url: `${assetBase}/${name}-${createHash('sha256').update(text).digest('hex').slice(0, 10)}.js`,
    text,
  }));
  return {
    urls: files.map((file) => file.url),
    serve(path) {
      const file = files.find((candidate) => candidate.url === path);
      if (!file) return null;
      return new Response(file.text, {
        headers: {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'public, max-age=31536000, immutable',
          'x-content-type-options': 'nosniff',
        },
      });
    },
  };
}
