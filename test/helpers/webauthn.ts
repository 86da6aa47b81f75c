/**
 * A software authenticator for API-level passkey tests: an Ed25519 key pair
 * and a signature counter, answering the server's options the way a browser
 * and an authenticator would (WebAuthn §6.1 authenticator data, §6.5
 * attestation object with `fmt: none`, CBOR per RFC 8949, the key as a COSE
 * OKP key per RFC 9053). Every field a test wants to get wrong can be set.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  const bytes = Buffer.alloc(3);
  bytes[0] = (major << 5) | 25;
  bytes.writeUInt16BE(value, 1);
  return bytes;
}

function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string')
    return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface Ceremony {
  /** The page's origin, as the browser writes it into the client data. */
  origin: string;
  /** Default: the options' RP ID. */
  rpId?: string;
  /** User verification performed (the UV flag). Default true. */
  userVerified?: boolean;
  /** The challenge signed over. Default: the options'. */
  challenge?: string;
}

export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16).toString('base64url');
  counter = 0;
  /** The user handle this credential returns (base64url); set at registration. */
  userHandle: string | null = null;
  readonly #privateKey: KeyObject;
  readonly #publicKey: Buffer;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.#privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.#publicKey = Buffer.from(jwk.x ?? '', 'base64url');
  }

  /** What `startRegistration` resolves to for `options` (PublicKeyCredentialCreationOptionsJSON). */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }, ceremony: Ceremony) {
    this.userHandle = options.user.id;
    const coseKey = new Map<Cbor, Cbor>([
      [1, 1], // kty: OKP
      [3, -8], // alg: EdDSA
      [-1, 6], // crv: Ed25519
      [-2, this.#publicKey],
    ]);
    const idBytes = Buffer.from(this.credentialId, 'base64url');
    const attested = Buffer.concat([
      Buffer.alloc(16), // AAGUID: none told
      Buffer.from([idBytes.length >> 8, idBytes.length & 0xff]),
      idBytes,
      cbor(coseKey),
    ]);
    const authData = this.#authenticatorData(
      ceremony.rpId ?? options.rp.id ?? '',
      ceremony,
      FLAG_AT,
      attested,
    );
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key' as const,
      response: {
        clientDataJSON: clientData(
          'webauthn.create',
          ceremony.challenge ?? options.challenge,
          ceremony.origin,
        ),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal' as const],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }

  /** What `startAuthentication` resolves to for `options` (PublicKeyCredentialRequestOptionsJSON). */
  assert(options: { challenge: string; rpId?: string }, ceremony: Ceremony & { userHandle?: string | null }) {
    this.counter += 1;
    const authData = this.#authenticatorData(ceremony.rpId ?? options.rpId ?? '', ceremony, 0);
    const clientDataJSON = clientData(
      'webauthn.get',
      ceremony.challenge ?? options.challenge,
      ceremony.origin,
    );
    const signed = Buffer.concat([
      authData,
      createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest(),
    ]);
    const handle = ceremony.userHandle === undefined ? this.userHandle : ceremony.userHandle;
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key' as const,
      response: {
        clientDataJSON,
        authenticatorData: authData.toString('base64url'),
        signature: sign(null, signed, this.#privateKey).toString('base64url'),
        ...(handle ? { userHandle: handle } : {}),
      },
      clientExtensionResults: {},
    };
  }

  #authenticatorData(rpId: string, ceremony: Ceremony, flags: number, attested?: Buffer): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const uv = ceremony.userVerified === false ? 0 : FLAG_UV;
    return Buffer.concat([
      createHash('sha256').update(rpId).digest(),
      Buffer.from([FLAG_UP | uv | flags]),
      counter,
      ...(attested ? [attested] : []),
    ]);
  }
}

function clientData(type: string, challenge: string, origin: string): string {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })).toString('base64url');
}
