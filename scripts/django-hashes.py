#!/usr/bin/python3
"""Writes test/fixtures/django-hashes.json: password hashes made by Django itself.

Gatehouse imports users from Django projects and must verify their stored hashes
exactly as Django does. These fixtures are known answers produced by Django's own
`make_password`, so the TypeScript verifiers are tested against the real thing
rather than against our reading of Django's source.

Regenerate (Debian 12 ships Django 3.2; use the system Python, not a virtualenv):

    apt-get install -y python3-django python3-bcrypt python3-argon2
    /usr/bin/python3 scripts/django-hashes.py

Salts are random, so every run rewrites every hash; the passwords stay the same.
Most entries use low cost parameters to keep the test suite fast; one entry per
hasher uses Django 3.2's defaults, the shape real imported hashes have.
"""

import json
import pathlib

import argon2
import bcrypt
import django
from django.conf import settings

settings.configure(
    PASSWORD_HASHERS=[
        'django.contrib.auth.hashers.PBKDF2PasswordHasher',
        'django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher',
        'django.contrib.auth.hashers.BCryptSHA256PasswordHasher',
        'django.contrib.auth.hashers.BCryptPasswordHasher',
        'django.contrib.auth.hashers.Argon2PasswordHasher',
    ],
)

from django.contrib.auth import hashers  # noqa: E402  (needs settings first)

OUTPUT = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'django-hashes.json'

PASSWORDS = {
    'ascii': 'P@ssw0rd!',
    'spaces': 'correct horse battery staple',
    'printable-ascii': ''.join(chr(c) for c in range(0x20, 0x7F)),
    'unicode': 'pässwörd-🔑-κωδικός',
    # NFC form; the tests sign in with the NFD form to exercise the NFKC retry.
    'nfc': 'caf\u00e9-au-lait',
    # Differs from its neighbour only after byte 72: bcrypt_sha256 tells them apart, bcrypt does not.
    'long-100': 'a' * 72 + 'X' + 'b' * 27,
}


class FastPBKDF2(hashers.PBKDF2PasswordHasher):
    iterations = 1000


class FastPBKDF2SHA1(hashers.PBKDF2SHA1PasswordHasher):
    iterations = 1000


class FastBCryptSHA256(hashers.BCryptSHA256PasswordHasher):
    rounds = 4


class FastBCrypt(hashers.BCryptPasswordHasher):
    rounds = 4


class FastArgon2(hashers.Argon2PasswordHasher):
    memory_cost = 1024
    time_cost = 1
    parallelism = 1


class FastArgon2i(FastArgon2):
    """The variant Django used before 3.2 (argon2i)."""

    def params(self):
        params = super().params()
        params.type = argon2.low_level.Type.I
        return params


def versionless_argon2i(password):
    """The format of Django 1.10-era hashes, made before argon2 wrote a `v=` field (version 0x10)."""
    salt = b'oldsaltoldsalt16'
    data = argon2.low_level.hash_secret(
        password.encode(), salt, time_cost=1, memory_cost=1024, parallelism=1, hash_len=16,
        type=argon2.low_level.Type.I, version=0x10,
    ).decode('ascii')
    assert '$v=16$' in data
    return 'argon2' + data.replace('$v=16$', '$', 1)


def main():
    fixtures = []

    def add(label, password_key, encoded):
        password = PASSWORDS[password_key]
        # Self-check with Django's own verifier, so a fixture can never encode our assumptions.
        assert hashers.check_password(password, encoded), (label, password_key)
        assert not hashers.check_password('!' + password, encoded), (label, password_key)
        fixtures.append({
            'algorithm': encoded.split('$', 1)[0],
            'label': label,
            'passwordKey': password_key,
            'password': password,
            'encoded': encoded,
        })

    fast = [
        ('pbkdf2_sha256, 1000 iterations', FastPBKDF2()),
        ('pbkdf2_sha1, 1000 iterations', FastPBKDF2SHA1()),
        ('bcrypt_sha256, 4 rounds', FastBCryptSHA256()),
        ('bcrypt, 4 rounds', FastBCrypt()),
        ('argon2id, m=1024 t=1 p=1', FastArgon2()),
    ]
    for label, hasher in fast:
        for key in PASSWORDS:
            add(label, key, hashers.make_password(PASSWORDS[key], hasher=hasher))

    # Django's plain bcrypt hasher ignores everything after byte 72; record that it really does.
    truncated = [f for f in fixtures if f['algorithm'] == 'bcrypt' and f['passwordKey'] == 'long-100']
    assert hashers.check_password('a' * 72 + 'Y' + 'b' * 27, truncated[0]['encoded'])

    add('argon2i, m=1024 t=1 p=1 (Django < 3.2)', 'spaces', hashers.make_password(PASSWORDS['spaces'], hasher=FastArgon2i()))
    add('argon2i without v= (Django 1.10 era, version 0x10)', 'spaces', versionless_argon2i(PASSWORDS['spaces']))

    defaults = [
        ('pbkdf2_sha256, Django 3.2 default (260000 iterations)', 'spaces', 'pbkdf2_sha256'),
        ('bcrypt_sha256, Django 3.2 default (12 rounds)', 'unicode', 'bcrypt_sha256'),
        ('bcrypt, Django 3.2 default (12 rounds)', 'ascii', 'bcrypt'),
        ('argon2id, Django 3.2 default (m=102400 t=2 p=8)', 'unicode', 'argon2'),
    ]
    for label, key, algorithm in defaults:
        add(label, key, hashers.make_password(PASSWORDS[key], hasher=algorithm))

    document = {
        'generatedBy': 'scripts/django-hashes.py',
        'django': django.get_version(),
        'bcrypt': bcrypt.__version__,
        'argon2-cffi': argon2.__version__,
        'fixtures': fixtures,
    }
    OUTPUT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
    print(f'wrote {len(fixtures)} hashes to {OUTPUT}')


if __name__ == '__main__':
    main()
