import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commonPasswordValidator } from '../../../src/passwords/index.js';

const REFUSAL = 'This password is too common. Choose one that would be harder to guess.';
const validator = commonPasswordValidator();

/**
 * An oracle independent of the shipped list's sources: Mark Burnett's "10,000 top passwords"
 * (2011), ranked by frequency, as packaged by the `common-password` devDependency. PW-05 asks
 * that entries of a top-3000 list at least as long as the minimum length be refused.
 */
function oracleTop3000(minLength: number): string[] {
  const require = createRequire(import.meta.url);
  const path = join(require.resolve('common-password/package.json'), '..', 'lib', '10k most common.txt');
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .slice(0, 3000)
    .filter((entry) => [...entry].length >= minLength);
}

describe('commonPasswordValidator', () => {
  it('ships at least 20,000 passwords', () => {
    const shipped = gunzipSync(
      readFileSync(new URL('../../../src/passwords/common-passwords.txt.gz', import.meta.url)),
    );
    expect(shipped.toString('utf8').split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(20_000);
  });

  it('refuses 20 random entries of an independent top-3000 list that are 8 characters or longer (PW-05)', async () => {
    const oracle = oracleTop3000(8);
    expect(oracle.length).toBeGreaterThan(400);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...oracle), async (password) => {
        expect(await validator.validate(password)).toBe(REFUSAL);
      }),
      { numRuns: 20 },
    );
  });

  it.each([
    ['a top password', 'password'],
    ['a keyboard walk', 'qwertyuiop'],
    ['a repeated character, which some lists leave to pattern matchers', 'aaaaaaaa'],
    ['a descending sequence', '87654321'],
    ['a listed password in another case', 'PassWord'],
    ['a listed password with surrounding spaces', '  iloveyou  '],
    ['a listed password in full-width letters', '\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44'],
    ['a listed password with digits appended (PW-05)', 'password1234567'],
    ['a listed password with a year and a symbol appended', 'Dragon2024!'],
  ])('refuses %s', async (_, password) => {
    expect(await validator.validate(password)).toBe(REFUSAL);
  });

  it.each([
    ['a passphrase containing a listed word', 'my password is a long sentence'],
    ['a passphrase', 'correct horse battery staple'],
    ['a random string', 'vT7#qL9!xZ2@'],
    ['digits after a fragment too short to be a listed word', 'abc12345678'],
    ['a listed word with letters appended', 'passwordxyz'],
  ])('accepts %s: the whole password is compared, not a substring', async (_, password) => {
    expect(await validator.validate(password)).toBeNull();
  });

  it('strips appended digits in linear time, even for a huge input', async () => {
    const started = performance.now();
    expect(await validator.validate(`${'1'.repeat(200_000)}x`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reads a custom list, gzip-compressed or plain', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-common-'));
    const plain = join(folder, 'list.txt');
    writeFileSync(plain, 'Gatehouse\nacme-corp\n');
    const custom = commonPasswordValidator(plain);
    expect(await custom.validate('gatehouse')).toBe(REFUSAL);
    expect(await custom.validate('ACME-CORP')).toBe(REFUSAL);
    expect(await custom.validate('password')).toBeNull();
  });

  it('fails loudly when a configured list cannot be read', async () => {
    await expect(commonPasswordValidator('/nonexistent/list.txt.gz').validate('password')).rejects.toThrow(
      /ENOENT/,
    );
  });
});
