/**
 * Reads the PHC string format of argon2 hashes
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, salt and hash in unpadded
 * base64) so stored parameters can be compared with the configured ones and
 * checked against resource limits before any verification starts.
 */

export interface Argon2Phc {
  readonly variant: 'argon2d' | 'argon2i' | 'argon2id';
  /** 0x13 = 19 for current hashes; 0x10 = 16 when the string has no `v=` field (argon2 before 1.3). */
  readonly version: number;
  /** KiB. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly saltBytes: number;
  readonly hashBytes: number;
}

const PHC =
  /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d{1,3})\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** The parameters of a PHC argon2 string, or null when the string is not one. */
export function parseArgon2Phc(encoded: string): Argon2Phc | null {
  const match = PHC.exec(encoded);
  if (!match) return null;
  const [, variant, version, m, t, p, salt, hash] = match;
  if (variant === undefined || m === undefined || t === undefined || p === undefined) return null;
  if (salt === undefined || hash === undefined) return null;
  return {
    variant: variant as Argon2Phc['variant'],
    version: version === undefined ? 0x10 : Number(version),
    memoryCost: Number(m),
    timeCost: Number(t),
    parallelism: Number(p),
    saltBytes: Math.floor((salt.length * 3) / 4),
    hashBytes: Math.floor((hash.length * 3) / 4),
  };
}

/**
 * Upper bounds on the cost a stored hash may ask for. A hash is data: a corrupt
 * or hostile import asking for terabytes of memory would abort the process when
 * the allocation fails, so such a hash is refused before it reaches the library.
 */
export interface Argon2CostLimit {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** 1 GiB is fifty times OWASP's recommended memory and ten times Django's default; 64 passes, thirty times OWASP's. */
export const ARGON2_VERIFY_LIMIT: Argon2CostLimit = {
  memoryCost: 1024 * 1024,
  timeCost: 64,
  parallelism: 255,
};

export function isWithinCostLimit(phc: Argon2Phc, limit: Argon2CostLimit): boolean {
  return (
    phc.memoryCost <= limit.memoryCost &&
    phc.timeCost <= limit.timeCost &&
    phc.parallelism <= limit.parallelism
  );
}
