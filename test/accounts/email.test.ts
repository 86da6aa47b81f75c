import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailProblem, normalizeEmail, parseEmail } from '../../src/accounts/email.js';

describe('normalizeEmail', () => {
  it('trims, applies NFKC and lower-cases', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    expect(normalizeEmail('ada＠example.com')).toBe('ada@example.com');
    expect(normalizeEmail('ＡＤＡ@example.com')).toBe('ada@example.com');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (raw) => {
        const once = normalizeEmail(raw);
        expect(normalizeEmail(once)).toBe(once);
      }),
    );
  });

  it('maps case and width variants of an address to the same value', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), (address, upper) => {
        const variant = `  ${upper ? address.toUpperCase() : address} `;
        expect(normalizeEmail(variant)).toBe(normalizeEmail(address));
      }),
    );
  });

  it('leaves no upper-case, surrounding space or non-NFKC form in its output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (raw) => {
        const out = normalizeEmail(raw);
        expect(out).toBe(out.trim());
        expect(out).toBe(out.toLowerCase());
        expect(out.normalize('NFKC').toLowerCase().trim()).toBe(out);
      }),
    );
  });
});

describe('parseEmail', () => {
  it('accepts ordinary and internationalised addresses', () => {
    for (const raw of ['ada@example.com', 'a.b+tag@sub.example.org', 'jürgen@bücher.de', 'admin@localhost']) {
      expect(parseEmail(raw)).toEqual({ email: normalizeEmail(raw) });
    }
  });

  it('accepts every address fast-check generates', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        expect(emailProblem(normalizeEmail(address))).toBeNull();
      }),
    );
  });

  it.each([
    ['', 'empty'],
    ['ada', 'no @'],
    ['ada@@example.com', 'two @'],
    ['victim@example.com,attacker@evil.test', 'a list of addresses'],
    ['"victim@example.com"@evil.test', 'a quoted local part'],
    ['victim@example.com\r\nBcc: a@evil.test', 'a header injection'],
    ['Victim <victim@example.com>', 'a display name'],
    ['ada@example..com', 'an empty domain label'],
    ['ada@-example.com', 'a label starting with a hyphen'],
    ['.ada@example.com', 'a leading dot'],
    [`${'a'.repeat(65)}@example.com`, 'a local part over 64 characters'],
    [`a@${'b'.repeat(250)}.com`, 'over 254 characters'],
  ])('refuses %j (%s)', (raw) => {
    expect(parseEmail(raw)).toHaveProperty('problem');
  });

  it('refuses a non-string', () => {
    expect(parseEmail(42)).toHaveProperty('problem');
    expect(parseEmail(null)).toHaveProperty('problem');
  });

  it('never accepts an address that would reach two mailboxes', () => {
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.constantFrom(',', ';', ' ', '\n', '<', '"'),
        fc.emailAddress(),
        (a, sep, b) => {
          expect(parseEmail(`${a}${sep}${b}`)).toHaveProperty('problem');
        },
      ),
    );
  });
});
