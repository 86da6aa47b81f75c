import { describe, expect, it } from 'vitest';
import { argon2idHasher, PasswordHashers, unusablePassword } from '../../src/passwords/index.js';
import { recordingHasher } from './recording-hasher.js';

// Django CVE-2024-39329: if a sign-in for an unknown user, or one without a usable password, skips the
// hash, its response time tells an attacker which accounts exist. Each case must cost one real verify
// by the default hasher, with current parameters, exactly like a wrong password for a real user.
const cheapParams = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

function setUp() {
  const inner = argon2idHasher(cheapParams);
  const recorder = recordingHasher(inner);
  return { inner, recorder, hashers: new PasswordHashers({ default: recorder }) };
}

describe('PasswordHashers.verify without a usable hash', () => {
  it.each([
    ['an unknown user (null)', null],
    ['Django’s bare unusable marker', '!'],
    ['an unusable password', unusablePassword()],
    ['an unrecognised format', 'md5$salt$0123456789abcdef'],
    ['an empty string', ''],
  ])('for %s returns invalid after one verify by the default hasher', async (_, encoded) => {
    const { inner, recorder, hashers } = setUp();
    expect(await hashers.verify('some password', encoded)).toEqual({ valid: false, needsRehash: false });
    const verifies = recorder.calls.filter((call) => call.method === 'verify');
    expect(verifies).toHaveLength(1);
    expect(verifies[0]?.password).toBe('some password');
    // The dummy is a genuine hash with the current parameters, so it costs what a real verify costs.
    const dummy = verifies[0]?.encoded ?? '';
    expect(inner.identifies(dummy)).toBe(true);
    expect(inner.needsRehash(dummy)).toBe(false);
  });

  it('costs as many default-hasher verifies as a wrong password for a known user', async () => {
    const { recorder, hashers } = setUp();
    const encoded = await hashers.hash('the real password');
    recorder.calls.length = 0;
    await hashers.verify('a wrong password', encoded);
    const forKnownUser = recorder.calls.filter((call) => call.method === 'verify').length;
    await hashers.verify('a wrong password', null);
    await hashers.verify('a wrong password', null);
    recorder.calls.length = 0;
    await hashers.verify('a wrong password', null);
    expect(recorder.calls.filter((call) => call.method === 'verify')).toHaveLength(forKnownUser);
  });

  it('makes the dummy hash once and reuses it', async () => {
    const { recorder, hashers } = setUp();
    await Promise.all([hashers.verify('a', null), hashers.verify('b', null), hashers.verify('c', '!')]);
    expect(recorder.calls.filter((call) => call.method === 'hash')).toHaveLength(1);
    expect(recorder.calls.filter((call) => call.method === 'verify')).toHaveLength(3);
  });

  it('spends one dummy verify on an over-long password without hashing the long input', async () => {
    const { recorder, hashers } = setUp();
    const encoded = await hashers.hash('the real password');
    recorder.calls.length = 0;
    const long = 'x'.repeat(100_000);
    expect(await hashers.verify(long, encoded)).toEqual({ valid: false, needsRehash: false });
    const verifies = recorder.calls.filter((call) => call.method === 'verify');
    expect(verifies).toHaveLength(1);
    expect(verifies[0]?.password.length).toBeLessThan(100);
    expect(verifies[0]?.encoded).not.toBe(encoded);
  });

  it('makes the dummy again after a failed attempt instead of failing forever', async () => {
    const inner = argon2idHasher(cheapParams);
    let failNext = true;
    const flaky = {
      ...inner,
      hash: async (password: string) => {
        if (failNext) {
          failNext = false;
          throw new Error('thread pool unavailable');
        }
        return inner.hash(password);
      },
    };
    const hashers = new PasswordHashers({ default: flaky });
    await expect(hashers.verify('x', null)).rejects.toThrow('thread pool unavailable');
    expect(await hashers.verify('x', null)).toEqual({ valid: false, needsRehash: false });
  });
});
