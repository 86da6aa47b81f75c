/**
 * The keys that sign access tokens. One key signs at a time: the newest whose
 * `activates_at` has come. A scheduled rotation publishes the next key an hour
 * before it starts signing, so verifiers holding a cached JWKS know it before
 * they meet it; `rotate()` (`gatehouse keys rotate`, after a leak) switches at
 * once, and verifiers fetch the JWKS again on the unknown `kid`. A key leaves
 * the JWKS once every token it signed has expired. Private keys are JWKs
 * sealed under the server secret, opened once per process. `jose` is loaded
 * at the first signature: a server that never issues tokens never pays for it.
 */
import type { importJWK, JWK } from 'jose';
import { createId, type Sealer } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { type Executor, writeTransaction } from '../../db/transaction.js';
import { readDate, readOptionalDate } from '../../db/values.js';

export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

/** How long before it signs a scheduled key is published: longer than verifiers cache the JWKS. */
export const PREPUBLISH_SECONDS = 3600;

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
  /** The public JWK, with `kid`, `alg` and `use: 'sig'`. */
  publicJwk: JWK;
}

type PrivateKey = Awaited<ReturnType<typeof importJWK>>;

export class SigningKeys {
  readonly #database: Database;
  readonly #sealer: Sealer;
  readonly #now: () => Date;
  readonly #alg: SigningAlgorithm;
  readonly #rotateMs: number;
  readonly #publishedMs: number;
  readonly #opened = new Map<string, PrivateKey>();
  #current: { key: SigningKey; checkedAt: number } | null = null;
  #published: { keys: SigningKey[]; at: number } | null = null;

  constructor(options: {
    database: Database;
    sealer: Sealer;
    now: () => Date;
    algorithm: SigningAlgorithm;
    /** How long a key signs before the next one takes over. */
    rotateAfterSeconds: number;
    /** How long a retired key stays published: the access-token lifetime plus the clock skew allowed. */
    publishRetiredForSeconds: number;
  }) {
    this.#database = options.database;
    this.#sealer = options.sealer;
    this.#now = options.now;
    this.#alg = options.algorithm;
    this.#rotateMs = Math.max(options.rotateAfterSeconds, 2 * PREPUBLISH_SECONDS) * 1000;
    this.#publishedMs = options.publishRetiredForSeconds * 1000;
  }

  /** The key that signs now and its private half; made when there is none, scheduled when due. */
  async signingKey(): Promise<{ key: SigningKey; privateKey: PrivateKey }> {
    const now = this.#now();
    const at = now.getTime();
    const cached = this.#current;
    // Keys change rarely, and another instance may change them: look again at least once a minute.
    let key =
      cached && at - cached.checkedAt < 60_000 && at < (cached.key.retiredAt?.getTime() ?? Infinity)
        ? cached.key
        : await this.#signing(now);
    if (!key || key.alg !== this.#alg) key = await this.rotate();
    else if (
      key.retiredAt === null &&
      at >= key.activatesAt.getTime() + this.#rotateMs - PREPUBLISH_SECONDS * 1000
    ) {
      await this.#schedule(key);
      key = (await this.#signing(now)) ?? key;
    }
    this.#current = { key, checkedAt: at };
    return { key, privateKey: await this.#private(key) };
  }

  /** Makes a new key that signs from now on, and retires every other; returns it. */
  async rotate(): Promise<SigningKey> {
    const now = this.#now();
    const key = await writeTransaction(this.#database, async (trx) => {
      await trx
        .updateTable('signing_keys')
        .set({ retired_at: now })
        .where('retired_at', 'is', null)
        .execute();
      await trx.deleteFrom('signing_keys').where('activates_at', '>', now).execute();
      return this.#insert(trx, now);
    });
    this.#current = { key, checkedAt: now.getTime() };
    this.#published = null;
    return key;
  }

  /**
   * The keys a verifier may meet: those signing or about to, and those
   * retired less than a token's lifetime ago. Read at most every 30 s (each
   * bearer access token on the API is checked against them).
   */
  async published(): Promise<SigningKey[]> {
    const at = this.#now().getTime();
    if (this.#published && at - this.#published.at < 30_000 && at >= this.#published.at)
      return this.#published.keys;
    const since = new Date(at - this.#publishedMs);
    const rows = await this.#database.db
      .selectFrom('signing_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', since)]))
      .orderBy('activates_at', 'desc')
      .execute();
    const keys = rows.map(keyFromRow);
    this.#published = { keys, at };
    return keys;
  }

  /** Publishes the next key now, to sign when `current` retires (unless another instance did). */
  async #schedule(current: SigningKey): Promise<void> {
    const now = this.#now();
    const handover = new Date(
      Math.max(current.activatesAt.getTime() + this.#rotateMs, now.getTime() + PREPUBLISH_SECONDS * 1000),
    );
    await writeTransaction(this.#database, async (trx) => {
      const retired = await trx
        .updateTable('signing_keys')
        .set({ retired_at: handover })
        .where('id', '=', current.kid)
        .where('retired_at', 'is', null)
        .executeTakeFirst();
      if (Number(retired.numUpdatedRows) === 1) await this.#insert(trx, now, handover);
    });
    this.#published = null;
  }

  async #insert(trx: Executor, now: Date, activatesAt = now): Promise<SigningKey> {
    const kid = createId('key', now);
    const { exportJWK, generateKeyPair } = await import('jose');
    const pair = await generateKeyPair(this.#alg, {
      extractable: true,
      ...(this.#alg === 'RS256' ? { modulusLength: 2048 } : {}),
    });
    const privateJwk = await exportJWK(pair.privateKey);
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: this.#alg, use: 'sig' };
    await trx
      .insertInto('signing_keys')
      .values({
        id: kid,
        alg: this.#alg,
        private_key: this.#sealer.seal(JSON.stringify(privateJwk), kid),
        public_jwk: JSON.stringify(publicJwk),
        created_at: now,
        activates_at: activatesAt,
      })
      .execute();
    return { kid, alg: this.#alg, createdAt: now, activatesAt, retiredAt: null, publicJwk };
  }

  /** The newest key that has begun to sign and has not stopped. */
  async #signing(now: Date): Promise<SigningKey | null> {
    const row = await this.#database.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('activates_at', '<=', now)
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', now)]))
      .orderBy('activates_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? keyFromRow(row) : null;
  }

  async #private(key: SigningKey): Promise<PrivateKey> {
    const opened = this.#opened.get(key.kid);
    if (opened) return opened;
    const row = await this.#database.db
      .selectFrom('signing_keys')
      .select('private_key')
      .where('id', '=', key.kid)
      .executeTakeFirstOrThrow();
    const jwk = this.#sealer.open(row.private_key, key.kid);
    if (jwk === null) throw new Error(`Signing key ${key.kid} does not open with this server secret.`);
    const { importJWK } = await import('jose');
    const privateKey = await importJWK(JSON.parse(jwk) as JWK, key.alg);
    this.#opened.set(key.kid, privateKey);
    return privateKey;
  }
}

function keyFromRow(row: {
  id: string;
  alg: string;
  public_jwk: string;
  created_at: unknown;
  activates_at: unknown;
  retired_at: unknown;
}): SigningKey {
  return {
    kid: row.id,
    alg: row.alg as SigningAlgorithm,
    createdAt: readDate(row.created_at),
    activatesAt: readDate(row.activates_at),
    retiredAt: readOptionalDate(row.retired_at),
    publicJwk: JSON.parse(row.public_jwk) as JWK,
  };
}
