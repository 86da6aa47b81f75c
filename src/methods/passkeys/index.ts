export {
  type AuthenticationPurpose,
  type CeremonyPurpose,
  type Passkey,
  type PasskeyId,
  type PasskeyOwner,
  PasskeyRefusal,
  type PasskeyRefusalReason,
  Passkeys,
} from './passkeys.js';
export { type RelyingParty, relyingParty } from './relying-party.js';
