import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookPayload, verifyWebhookSignature } from '../../src/index.js';

const secret = 'whsec_0123456789abcdefghijklmnopqrstuv';
const body = '{"id":"aud_1","type":"signup"}';
const t = 1_718_000_000;
const at = t * 1000;

describe('webhook signatures', () => {
  it('signs "t.body" with HMAC-SHA256 in the Stripe-style header', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhookPayload(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('accepts the right secret within the tolerance, for a string or the raw bytes', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, { now: at + 60_000 })).toEqual({
      ok: true,
      timestamp: t,
    });
    expect(verifyWebhookSignature(secret, header, Buffer.from(body), { now: at }).ok).toBe(true);
  });

  it('rejects another secret, a changed body and a re-serialised body', () => {
    const header = signWebhookPayload(secret, body, t);
    const other = 'whsec_another_secret_of_enough_length_xx';
    expect(verifyWebhookSignature(other, header, body, { now: at })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(secret, header, body.replace('signup', 'signout'), { now: at }).ok).toBe(
      false,
    );
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect(verifyWebhookSignature(secret, header, reserialised, { now: at }).ok).toBe(false);
  });

  it('rejects a timestamp outside the tolerance, old or future, even with a valid HMAC', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, { now: at + 301_000 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyWebhookSignature(secret, header, body, { now: at - 301_000 }).ok).toBe(false);
    expect(
      verifyWebhookSignature(secret, header, body, { now: at + 3_600_000, toleranceSeconds: 7200 }).ok,
    ).toBe(true);
  });

  it('rejects a re-timed signature: t is part of what is signed', () => {
    const [, v1] = signWebhookPayload(secret, body, t).split(',');
    expect(verifyWebhookSignature(secret, `t=${t + 500},${v1}`, body, { now: at + 500_000 })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('rejects missing and malformed headers', () => {
    for (const header of [
      null,
      undefined,
      '',
      'v1=abc',
      `t=${t}`,
      `t=soon,v1=${'a'.repeat(64)}`,
      `t=${t},v1=${'a'.repeat(63)}`,
      `t=${t},t=${t},v1=${'a'.repeat(64)}`,
      'x'.repeat(5000),
    ]) {
      expect(verifyWebhookSignature(secret, header, body, { now: at }), String(header)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('accepts any of several secrets (rotation) and any of several v1 signatures', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(
      verifyWebhookSignature(['whsec_new_secret_of_sufficient_length', secret], header, body, { now: at }).ok,
    ).toBe(true);
    const [, v1] = header.split(',');
    const twoSignatures = `t=${t},v1=${'0'.repeat(64)},${v1}`;
    expect(verifyWebhookSignature(secret, twoSignatures, body, { now: at }).ok).toBe(true);
  });
});
