/**
 * TOTP authenticators (RFC 6238: SHA-1, 6 digits, 30-second steps — what
 * every authenticator app reads from an `otpauth://` URI).
 *
 * - The secret is 160 bits from the CSPRNG, sealed at rest (AES-256-GCM, the
 *   factor's id as context), and shown once, at setup.
 * - A factor counts only once confirmed: setup stores a pending one; the first
 *   right code confirms it. A new setup replaces a pending factor, never a
 *   confirmed one.
 * - Codes are accepted for the current step and one either side (clock
 *   drift), and only for a step later than the last one accepted — one
 *   `UPDATE … WHERE last_step < step`, so a code (or an earlier one) is never
 *   accepted twice, not even by two racing requests.
 */
import type * as OTPAuthModule from 'otpauth';
import { createId, type Sealer } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { readOptionalDate } from '../../db/values.js';
import { AuthError } from '../../errors.js';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const SECRET_BYTES = 20;
/** Steps either side of now whose codes are still accepted. */
const WINDOW = 1;
const CODE_SHAPE = /^\d{6}$/;

// Loaded at the first enrolment or code: servers where nobody uses an app never load it.
let library: Promise<typeof OTPAuthModule> | null = null;
const otpauth = () => {
  library ??= import('otpauth');
  return library;
};

export interface TotpSetup {
  /** Base32, for typing into an app by hand. */
  secret: string;
  otpauthUrl: string;
  /** The URL as a QR code, a standalone SVG document. */
  qrSvg: string;
}

export interface TotpStatus {
  enabled: boolean;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}

export class TotpFactors {
  readonly #database: Database;
  readonly #now: () => Date;
  readonly #sealer: Sealer | null;
  readonly #issuer: string;

  constructor(options: { database: Database; now: () => Date; sealer: Sealer | null; issuer: string }) {
    this.#database = options.database;
    this.#now = options.now;
    this.#sealer = options.sealer;
    this.#issuer = options.issuer;
  }

  /** Starts enrolment: a new pending secret for the user (409 `conflict` if TOTP is already on). */
  async begin(user: { id: string; email: string }): Promise<TotpSetup> {
    const sealer = this.#requireSealer();
    const now = this.#now();
    const OTPAuth = await otpauth();
    const secret = new OTPAuth.Secret({ size: SECRET_BYTES });
    const id = createId('mfa', now);
    await this.#database.db
      .deleteFrom('mfa_factors')
      .where('user_id', '=', user.id)
      .where('kind', '=', 'totp')
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    const inserted = await this.#database.db
      .insertInto('mfa_factors')
      .values({
        id,
        user_id: user.id,
        kind: 'totp',
        secret: sealer.seal(secret.base32, id),
        created_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    // The one row a user may have is a confirmed factor the delete above left alone.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      throw new AuthError('conflict', 'Two-factor authentication is already on. Turn it off first.');
    }
    const otpauthUrl = this.#totp(OTPAuth, secret, user.email).toString();
    // Drawn at enrolment only: the QR encoder is loaded then, not with the server.
    const { default: QRCode } = await import('qrcode');
    const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret: secret.base32, otpauthUrl, qrSvg };
  }

  /** Confirms the pending factor with a first code; false for a wrong code or no pending factor. */
  confirm(userId: string, code: unknown): Promise<boolean> {
    return this.#accept(userId, code, 'pending');
  }

  /** Checks a code against the user's confirmed factor and spends it. */
  verify(userId: string, code: unknown): Promise<boolean> {
    return this.#accept(userId, code, 'confirmed');
  }

  async status(userId: string): Promise<TotpStatus> {
    const row = await this.#database.db
      .selectFrom('mfa_factors')
      .select(['confirmed_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .where('kind', '=', 'totp')
      .where('confirmed_at', 'is not', null)
      .executeTakeFirst();
    return {
      enabled: row !== undefined,
      confirmedAt: readOptionalDate(row?.confirmed_at ?? null),
      lastUsedAt: readOptionalDate(row?.last_used_at ?? null),
    };
  }

  /** Removes the user's TOTP factor, pending or confirmed; true if there was a confirmed one. */
  async remove(userId: string): Promise<boolean> {
    const removed = await this.#database.db
      .deleteFrom('mfa_factors')
      .where('user_id', '=', userId)
      .where('kind', '=', 'totp')
      .returning('confirmed_at')
      .execute();
    return removed.some((row) => row.confirmed_at !== null);
  }

  async #accept(userId: string, code: unknown, state: 'pending' | 'confirmed'): Promise<boolean> {
    if (typeof code !== 'string') return false;
    const token = code.replace(/\s/g, '');
    if (!CODE_SHAPE.test(token) || !this.#sealer) return false;
    const row = await this.#database.db
      .selectFrom('mfa_factors')
      .select(['id', 'secret', 'last_step'])
      .where('user_id', '=', userId)
      .where('kind', '=', 'totp')
      .where('confirmed_at', state === 'pending' ? 'is' : 'is not', null)
      .executeTakeFirst();
    if (!row) return false;
    const base32 = this.#sealer.open(row.secret, row.id);
    if (base32 === null) return false;
    const now = this.#now();
    const OTPAuth = await otpauth();
    const totp = this.#totp(OTPAuth, OTPAuth.Secret.fromBase32(base32), '');
    const delta = totp.validate({ token, timestamp: now.getTime(), window: WINDOW });
    if (delta === null) return false;
    const step = Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
    const spent = await this.#database.db
      .updateTable('mfa_factors')
      .set({
        last_step: step,
        last_used_at: now,
        ...(state === 'pending' ? { confirmed_at: now } : {}),
      })
      .where('id', '=', row.id)
      .where('last_step', '<', step)
      .executeTakeFirst();
    return Number(spent.numUpdatedRows) === 1;
  }

  #totp(OTPAuth: typeof OTPAuthModule, secret: OTPAuthModule.Secret, label: string): OTPAuthModule.TOTP {
    return new OTPAuth.TOTP({
      issuer: this.#issuer,
      label,
      algorithm: 'SHA1',
      digits: DIGITS,
      period: PERIOD_SECONDS,
      secret,
    });
  }

  #requireSealer(): Sealer {
    if (!this.#sealer) {
      throw new AuthError(
        'unavailable',
        'Two-factor authentication needs a server secret (`secret` or GATEHOUSE_SECRET) to keep authenticator keys encrypted.',
      );
    }
    return this.#sealer;
  }
}
