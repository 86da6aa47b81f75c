/**
 * Tokens for services (API.md): a session exchanged for an access token (JWT)
 * and a refresh token, the refresh itself, and the JWKS that resource
 * servers verify access tokens with.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import { AuthError } from '../errors.js';
import type { Session } from '../sessions/sessions.js';
import type { AccessTokenSubject, TokenMode } from '../sessions/token-mode/token-mode.js';
import { isDefaultTenant } from '../tenants/tenants.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import { json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { parseBody } from './schemas.js';

const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });
const INVALID = 'This refresh token is not valid: sign in again.';

export function tokenRoutes<F extends CustomFields>(): RouteSpec<F>[] {
  function modeOf(x: Exchange<F>): TokenMode {
    const mode = x.core.tokenMode;
    if (!mode)
      throw new AuthError(
        'unavailable',
        'Token mode needs the server secret (`secret` or GATEHOUSE_SECRET).',
      );
    return mode;
  }

  /** Who the token is for, with the permissions and groups the configuration asks to carry. */
  async function subjectOf(x: Exchange<F>, session: Session, user: User<F>): Promise<AccessTokenSubject> {
    const { core } = x;
    const claims = core.config.accessTokens?.claims ?? [];
    const subject: AccessTokenSubject = {
      userId: user.id,
      sessionId: session.id,
      tenantId: session.tenantId,
      amr: session.amr,
    };
    if (claims.includes('permissions'))
      subject.permissions = [...(await core.permissions.getTenantPermissions(user, session.tenantId))].sort();
    if (claims.includes('groups')) {
      const own = await core.permissions.groupsOf(user.id);
      const here = isDefaultTenant(x.tenant)
        ? []
        : ((await core.tenants.member(x.tenant.id, user.id))?.groups ?? []);
      subject.groups = [...new Set([...own, ...here])].sort();
    }
    return subject;
  }

  return [
    {
      method: 'POST',
      path: '/token',
      summary:
        'Exchange the session for an access token (JWT, at most 15 minutes) and a refresh token bound to the session',
      signedIn: true,
      success: { status: 200, description: '`{accessToken, refreshToken, tokenType: "Bearer", expiresIn}`' },
      errors: ['unauthenticated', 'forbidden', 'csrf_failed', 'unavailable'],
      async handle(x) {
        const mode = modeOf(x);
        const { session, user } = await x.requireSignedIn();
        if (session.impersonator)
          throw new AuthError('forbidden', 'An impersonation session cannot be exchanged for tokens.');
        const { token: refreshToken, familyId } = await mode.refreshTokens.issue(
          session.id,
          session.expiresAt,
        );
        const { accessToken, expiresIn } = await mode.sign(
          await subjectOf(x, session, user),
          x.tokenAudience,
        );
        await x.core.audit.record({
          type: 'tokens_issued',
          userId: user.id,
          ...x.client,
          details: { session: session.id, family: familyId },
        });
        return json(200, { accessToken, refreshToken, tokenType: 'Bearer', expiresIn }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/token/refresh',
      summary:
        'A new access token and refresh token for a refresh token, which is spent; a spent one presented again ends the session and its tokens',
      signedIn: false,
      // No cookie is involved: the refresh token is the proof, as a bearer credential is.
      crossSite: true,
      body: refreshBody,
      success: { status: 200, description: '`{accessToken, refreshToken, tokenType: "Bearer", expiresIn}`' },
      errors: ['invalid_request', 'invalid_token', 'unavailable'],
      async handle(x) {
        const mode = modeOf(x);
        const { core } = x;
        const { refreshToken } = parseBody(refreshBody, (await readBody(x.request)).fields);
        const sessionId = await mode.refreshTokens.sessionOf(refreshToken);
        const found = sessionId ? await core.sessions.get(sessionId) : null;
        // Checked before spending anything: a token of another tenant, or of an ended session, opens nothing here.
        if (!found || found.session.tenantId !== x.tenant.id) throw new AuthError('invalid_token', INVALID);
        const outcome = await mode.refreshTokens.rotate(refreshToken);
        if (outcome.kind === 'reused') {
          await core.sessions.revoke(outcome.sessionId);
          await core.audit.record({
            type: 'refresh_token_reused',
            userId: found.user.id,
            ...x.client,
            details: { session: outcome.sessionId, family: outcome.familyId },
          });
          throw new AuthError('invalid_token', INVALID);
        }
        if (outcome.kind === 'invalid') throw new AuthError('invalid_token', INVALID);
        const { session, user } = found;
        const { accessToken, expiresIn } = await mode.sign(
          await subjectOf(x, session, user),
          x.tokenAudience,
        );
        return json(
          200,
          { accessToken, refreshToken: outcome.token, tokenType: 'Bearer', expiresIn },
          x.headers,
        );
      },
    },
    {
      method: 'GET',
      path: '/.well-known/jwks.json',
      summary:
        'The public keys access tokens are signed with: the current one and those retired within a token lifetime',
      signedIn: false,
      success: { status: 200, description: '`{keys: [JWK]}`; cacheable for 5 minutes' },
      errors: ['unavailable'],
      async handle(x) {
        const mode = modeOf(x);
        // A verifier may ask before the first token is signed: the signing key exists from then on.
        await mode.keys.signingKey();
        const keys = (await mode.keys.published()).map((key) => key.publicJwk);
        return json(200, { keys }, { ...x.headers, 'cache-control': 'public, max-age=300' });
      },
    },
  ];
}
