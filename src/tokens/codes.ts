/**
 * Numeric one-time codes drawn uniformly from the CSPRNG.
 *
 * A 32-bit draw reduced modulo 10^6 would favour the low codes (2^32 is not a
 * multiple of 10^6), so draws at or above the largest multiple of 10^6 that
 * fits in 32 bits are thrown away and drawn again (rejection sampling). Every
 * accepted draw maps onto exactly ⌊2^32 / 10^6⌋ = 4294 values per code, so the
 * result is exactly uniform; a draw is rejected with probability < 0.02 %.
 */
import { randomBytes } from 'node:crypto';

export const CODE_DIGITS = 6;
const RANGE = 10 ** CODE_DIGITS;
const SPACE = 2 ** 32;
/** The largest multiple of RANGE not above 2^32: draws from here up are rejected. */
export const CODE_REJECTION_LIMIT = SPACE - (SPACE % RANGE);

/** Bytes from the CSPRNG; a parameter only so tests can feed chosen draws. */
export type RandomSource = (size: number) => Uint8Array;

/** A uniformly random 6-digit code, zero-padded (`000000`–`999999`). */
export function createNumericCode(random: RandomSource = randomBytes): string {
  for (;;) {
    const bytes = random(4);
    const draw = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
    if (draw < CODE_REJECTION_LIMIT) return String(draw % RANGE).padStart(CODE_DIGITS, '0');
  }
}

const CODE_SHAPE = /^\d{6}$/;

export function isNumericCode(value: unknown): value is string {
  return typeof value === 'string' && CODE_SHAPE.test(value);
}
