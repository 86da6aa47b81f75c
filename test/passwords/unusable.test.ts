import { describe, expect, it } from 'vitest';
import { isUsable, UNUSABLE_PASSWORD_PREFIX, unusablePassword } from '../../src/passwords/index.js';

describe('unusable passwords', () => {
  it('start with Django’s "!" prefix and are never usable', () => {
    const value = unusablePassword();
    expect(value.startsWith(UNUSABLE_PASSWORD_PREFIX)).toBe(true);
    expect(UNUSABLE_PASSWORD_PREFIX).toBe('!');
    expect(isUsable(value)).toBe(false);
  });

  it('differ from each other', () => {
    expect(unusablePassword()).not.toBe(unusablePassword());
    expect(unusablePassword().length).toBeGreaterThan(30);
  });

  it('treat a missing hash as unusable and any other string as usable', () => {
    expect(isUsable(null)).toBe(false);
    expect(isUsable(undefined)).toBe(false);
    expect(isUsable('!')).toBe(false);
    expect(isUsable('$argon2id$v=19$…')).toBe(true);
  });
});
