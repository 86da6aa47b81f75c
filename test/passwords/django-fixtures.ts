import { readFileSync } from 'node:fs';

/** One hash made by Django's own `make_password` (scripts/django-hashes.py). */
export interface DjangoFixture {
  algorithm: 'pbkdf2_sha256' | 'pbkdf2_sha1' | 'bcrypt_sha256' | 'bcrypt' | 'argon2';
  label: string;
  passwordKey: string;
  password: string;
  encoded: string;
}

export const djangoFixtures: readonly DjangoFixture[] = (
  JSON.parse(readFileSync(new URL('../fixtures/django-hashes.json', import.meta.url), 'utf8')) as {
    fixtures: DjangoFixture[];
  }
).fixtures;

export function djangoFixture(label: string, passwordKey: string): DjangoFixture {
  const found = djangoFixtures.find(
    (fixture) => fixture.label.startsWith(label) && fixture.passwordKey === passwordKey,
  );
  if (!found) throw new Error(`No Django fixture ${label} / ${passwordKey}.`);
  return found;
}
