import { describe, expect, it } from 'vitest';
import { relyingParty } from '../../../src/methods/passkeys/relying-party.js';

describe('the relying party', () => {
  it("defaults to the server origin's host name, the product name and that origin alone", () => {
    expect(relyingParty({ ui: { productName: 'Acme' } }, 'https://auth.example.com')).toEqual({
      rpId: 'auth.example.com',
      rpName: 'Acme',
      expectedOrigins: ['https://auth.example.com'],
    });
    expect(relyingParty({}, 'http://localhost:3000')).toEqual({
      rpId: 'localhost',
      rpName: 'Gatehouse',
      expectedOrigins: ['http://localhost:3000'],
    });
  });

  it('takes the RP ID, name and origins from passkeys config over the defaults', () => {
    const rp = relyingParty(
      {
        ui: { productName: 'Acme' },
        passkeys: {
          rpId: 'example.com',
          rpName: 'Acme accounts',
          origins: ['https://example.com', 'https://app.example.com'],
        },
      },
      'https://auth.example.com',
    );
    expect(rp).toEqual({
      rpId: 'example.com',
      rpName: 'Acme accounts',
      expectedOrigins: ['https://example.com', 'https://app.example.com'],
    });
  });
});
