import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argon2idHasher } from '../../../src/passwords/hashers/argon2id.js';

// Made by argon2-cffi 21.1.0 (the reference C implementation), not by the library under test.
const REFERENCE = {
  password: 'correct horse battery staple',
  owasp: '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXNlLXNhbHQtMQ$WWugU8yGgWS2FDCPdaTGVBn5o/9opubcTgvuzQSB9Zk',
  stronger:
    '$argon2id$v=19$m=65536,t=3,p=4$Z2F0ZWhvdXNlLXNhbHQtMQ$rUgZFIuBmYKuSj4TmZs5TYlQQg5fWQ/Wdb74e9wBIRQ',
  /** Of NFC `café`. */
  cafe: '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXNlLXNhbHQtMg$LKzgLeR89UjhBMQNU8jaIID/SEeuVpcIdszNHtk/Z1w',
  /** Of the two letters `fi`, which are the NFKC form of the ligature U+FB01. */
  fiLetters:
    '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXNlLXNhbHQtMw$GTElthTBRZFOlDlRLSiG82mRyLmMEn3T+KZ1NKUmap0',
  /** Of the ligature U+FB01 itself, unnormalised: no NFKC-normalising hasher can match it. */
  fiLigature:
    '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXNlLXNhbHQtMw$6IvkkfOQaPAqLjJdbk5RmkJkExdoq71uoVL8GYAbvVc',
};

const hasher = argon2idHasher();
// Cheap enough for property tests; the parameters do not change what is being checked.
const cheap = argon2idHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

describe('argon2idHasher', () => {
  it('verifies a hash made by the argon2 reference implementation', async () => {
    expect(await hasher.verify(REFERENCE.password, REFERENCE.owasp)).toBe(true);
    expect(await hasher.verify(REFERENCE.password, REFERENCE.stronger)).toBe(true);
  });

  it('rejects a wrong password against that hash', async () => {
    expect(await hasher.verify('correct horse battery stapler', REFERENCE.owasp)).toBe(false);
  });

  it('writes a PHC string with OWASP parameters, a 16-byte salt and a 32-byte hash by default', async () => {
    const encoded = await hasher.hash('correct horse battery staple');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify('correct horse battery staple', encoded)).toBe(true);
  });

  it('writes the configured parameters', async () => {
    const encoded = await argon2idHasher({ memoryCost: 2048, timeCost: 3, parallelism: 2 }).hash(
      'secret words',
    );
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=2048,t=3,p=2\$/);
  });

  it('gives two hashes of the same password different salts and different hashes (PW-09)', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    expect(a?.split('$')[4]).not.toBe(b?.split('$')[4]);
    expect(a).not.toBe(b);
  });

  it('checks every character: "a"×72 + "X" does not match "a"×72 + "Y" (PW-03)', async () => {
    const encoded = await hasher.hash(`${'a'.repeat(72)}X`);
    expect(await hasher.verify(`${'a'.repeat(72)}Y`, encoded)).toBe(false);
    expect(await hasher.verify(`${'a'.repeat(72)}X`, encoded)).toBe(true);
  });

  it('does not fold case or accept a prefix (PW-03)', async () => {
    const password = `${'a'.repeat(72)}X`;
    const encoded = await hasher.hash(password);
    expect(await hasher.verify(password.toUpperCase(), encoded)).toBe(false);
    expect(await hasher.verify(password.slice(0, -1), encoded)).toBe(false);
  });

  it('verifies the NFC and NFD forms of é alike (PW-04)', async () => {
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    expect(await hasher.verify(nfd, REFERENCE.cafe)).toBe(true);
    expect(await hasher.verify(nfc, REFERENCE.cafe)).toBe(true);
    const fromNfd = await hasher.hash(nfd);
    expect(await hasher.verify(nfc, fromNfd)).toBe(true);
  });

  it('hashes the NFKC form of the password', async () => {
    expect(await hasher.verify('\ufb01', REFERENCE.fiLetters)).toBe(true);
    expect(await hasher.verify('\ufb01', REFERENCE.fiLigature)).toBe(false);
  });

  it('hashes on the thread pool, leaving the event loop free meanwhile', async () => {
    let turns = 0;
    let hashing = true;
    const spin = () => {
      if (!hashing) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    await argon2idHasher({ memoryCost: 65536, timeCost: 3 }).hash('correct horse battery staple');
    hashing = false;
    expect(turns).toBeGreaterThan(1);
  });

  it('identifies its own format only', () => {
    expect(hasher.identifies(REFERENCE.owasp)).toBe(true);
    expect(hasher.identifies('$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(false);
    expect(hasher.identifies('argon2$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(false);
    expect(hasher.identifies('pbkdf2_sha256$1000$salt$aGFzaA==')).toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['the bare prefix', '$argon2id$'],
    ['a truncated hash', REFERENCE.owasp.slice(0, -10)],
    [
      'a hash without its salt',
      '$argon2id$v=19$m=19456,t=2,p=1$$WWugU8yGgWS2FDCPdaTGVBn5o/9opubcTgvuzQSB9Zk',
    ],
    [
      'invalid base64',
      '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZW!!!$WWugU8yGgWS2FDCPdaTGVBn5o/9opubcTgvuzQSB9Zk',
    ],
    [
      'too little memory for argon2',
      '$argon2id$v=19$m=1,t=1,p=1$Z2F0ZWhvdXNlLXNhbHQtMQ$WWugU8yGgWS2FDCPdaTGVBn5o',
    ],
    ['an argon2i hash', '$argon2i$v=19$m=1024,t=1,p=1$Z2F0ZWhvdXNlLXNhbHQtMQ$WWugU8yGgWS2FDCPdaTGVBn5o'],
  ])('treats %s as no match instead of throwing', async (_, encoded) => {
    await expect(hasher.verify(REFERENCE.password, encoded)).resolves.toBe(false);
  });

  it('refuses a stored hash that asks for terabytes of memory, without trying it', async () => {
    // Handed to the library, this hash never finishes: the test would time out.
    const hostile =
      '$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    await expect(hasher.verify('x', hostile)).resolves.toBe(false);
  });

  it('still verifies its own hashes when configured above the generic cost limit', async () => {
    const slow = argon2idHasher({ memoryCost: 1024, timeCost: 80 });
    expect(await slow.verify('x', await slow.hash('x'))).toBe(true);
  });

  it('needs no rehash for a hash with the configured parameters', () => {
    expect(hasher.needsRehash(REFERENCE.owasp)).toBe(false);
  });

  it.each([
    ['other memory, time and lanes', REFERENCE.stronger],
    ['a 16-byte hash', '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXNlLXNhbHQtMQ$WWugU8yGgWS2FDCPdaTGVA'],
    [
      'an 8-byte salt',
      '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXM$WWugU8yGgWS2FDCPdaTGVBn5o/9opubcTgvuzQSB9Zk',
    ],
    [
      'argon2 version 0x10',
      '$argon2id$v=16$m=19456,t=2,p=1$Z2F0ZWhvdXNlLXNhbHQtMQ$WWugU8yGgWS2FDCPdaTGVBn5o/9opubcTgvuzQSB9Zk',
    ],
    ['an unparseable hash', '$argon2id$garbage'],
  ])('needs a rehash for %s', (_, encoded) => {
    expect(hasher.needsRehash(encoded)).toBe(true);
  });

  it('needs a rehash when the configuration moved, in either direction', () => {
    expect(cheap.needsRehash(REFERENCE.owasp)).toBe(true);
    expect(
      argon2idHasher({ memoryCost: 65536, timeCost: 3, parallelism: 4 }).needsRehash(REFERENCE.stronger),
    ).toBe(false);
  });

  it('refuses invalid parameters at construction, naming each', () => {
    expect(() => argon2idHasher({ memoryCost: 4, timeCost: 0, parallelism: 256 })).toThrow(
      /parallelism.*memoryCost.*timeCost/,
    );
    expect(() => argon2idHasher({ timeCost: 1.5 })).toThrow(RangeError);
  });

  it('verifies every password against its own hash and rejects any other (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 5 }),
        async (password, extra) => {
          const encoded = await cheap.hash(password);
          expect(await cheap.verify(password, encoded)).toBe(true);
          expect(await cheap.verify(password + extra, encoded)).toBe(false);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('verifies any Unicode form of a password against a hash of another form (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 30 }), async (password) => {
        const encoded = await cheap.hash(password.normalize('NFC'));
        expect(await cheap.verify(password.normalize('NFD'), encoded)).toBe(true);
        expect(await cheap.verify(password.normalize('NFKD'), encoded)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});
