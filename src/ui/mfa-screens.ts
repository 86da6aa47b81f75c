/**
 * The UI routes of the second factor: the sign-in challenge (`/mfa`), enrolling
 * an authenticator app (`/mfa/setup`) and the step-up prompt
 * (`/reauthenticate`). Like every UI route they call the JSON API in process;
 * the challenge travels in the API's `gh_mfa` cookie.
 */
import type { ConnectionInfo } from '../http/api.js';
import type { ApiReply } from './api-client.js';
import { emptyForm, type FormState, type PageContext } from './context.js';
import {
  mfaChallengePage,
  reauthenticatePage,
  recoveryCodesPage,
  totpScanPage,
  totpStartPage,
} from './pages/mfa.js';

export interface MfaScreenDeps {
  /** `mfa.trustedDevices` is on: offer "remember this browser". */
  rememberOffered: boolean;
  call(
    request: Request,
    connection: ConnectionInfo | undefined,
    method: string,
    path: string,
    body?: Record<string, unknown>,
  ): Promise<ApiReply>;
  send(ctx: PageContext, body: string, status?: number, scripts?: boolean): Response;
  redirect(ctx: PageContext, location: string, reply?: ApiReply): Response;
  readForm(request: Request): Promise<Record<string, string>>;
  formError(ctx: PageContext, reply: ApiReply, values: Record<string, string>): FormState;
  nextOf(request: Request): string | null;
}

/** Where a refused sensitive action sends the browser: the step-up prompt (under `ui`), then back to `back`. */
export function reauthenticateUrl(ui: string, back: string): string {
  return `${ui}/reauthenticate?next=${encodeURIComponent(back)}`;
}

export function mfaScreens(deps: MfaScreenDeps) {
  const { call, send, redirect, readForm, formError, nextOf } = deps;
  const withNext = (path: string, next: string | null) =>
    next ? `${path}?next=${encodeURIComponent(next)}` : path;

  /**
   * Back to the sign-in page when the browser has no live challenge. One that
   * had a challenge (its cookie is there: expired, or out of tries) is told why.
   */
  function signInAgain(request: Request, ctx: PageContext, next: string | null): Response {
    const hadChallenge = /(?:^|;)\s*(?:__Host-)?gh_mfa=[^;\s]/.test(request.headers.get('cookie') ?? '');
    if (!hadChallenge) return redirect(ctx, withNext(`${ctx.ui}/signin`, next));
    const query = `?error=mfa_expired${next ? `&next=${encodeURIComponent(next)}` : ''}`;
    return redirect(ctx, `${ctx.ui}/signin${query}`);
  }

  async function challengePage(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
    form: FormState,
    state: { emailSent?: boolean; recovery?: boolean },
    status = 200,
  ): Promise<Response> {
    const next = nextOf(request);
    const pending = await call(request, connection, 'GET', '/mfa/challenge');
    if (pending.status !== 200) return signInAgain(request, ctx, next);
    const view = { methods: pending.body.methods, email: pending.body.email, remember: deps.rememberOffered };
    const scripted = view.methods.includes('passkey');
    return send(ctx, mfaChallengePage(ctx, next, view, form, state), status, scripted);
  }

  /** Answers the UI routes of this module; null for any other path. */
  return async function handle(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
    path: string,
    method: string,
  ): Promise<Response | null> {
    const next = nextOf(request);
    if (path === '/mfa' && method === 'GET') {
      const recovery = new URL(request.url).searchParams.get('use') === 'recovery';
      return challengePage(request, connection, ctx, emptyForm, { recovery });
    }
    if (path === '/mfa' && method === 'POST') {
      const form = await readForm(request);
      const answer = ['code', 'recoveryCode', 'emailCode'].find((name) => (form[name] ?? '').trim() !== '');
      const body: Record<string, unknown> = answer ? { [answer]: (form[answer] ?? '').trim() } : { code: '' };
      if (form.rememberDevice === 'on') body.rememberDevice = true;
      const reply = await call(request, connection, 'POST', '/mfa/verify', body);
      if (reply.status === 200)
        return redirect(ctx, next ?? reply.body.redirectTo ?? ctx.defaultRedirect, reply);
      if (reply.body?.error?.code === 'unauthenticated') return signInAgain(request, ctx, next);
      const state = formError(ctx, reply, {});
      const refused =
        reply.body?.error?.code === 'invalid_credentials'
          ? { ...state, errors: { [answer ?? 'code']: ctx.t('mfaWrongCode') }, formError: null }
          : state;
      const view = {
        recovery: answer === 'recoveryCode',
        emailSent: answer === 'emailCode',
      };
      return challengePage(request, connection, ctx, refused, view, reply.status);
    }
    if (path === '/mfa/email' && method === 'POST') {
      const reply = await call(request, connection, 'POST', '/mfa/email', {});
      if (reply.status === 401) return signInAgain(request, ctx, next);
      if (reply.status !== 202) {
        return challengePage(request, connection, ctx, formError(ctx, reply, {}), {}, reply.status);
      }
      return challengePage(request, connection, ctx, emptyForm, { emailSent: true });
    }

    if (path === '/mfa/setup' && method === 'GET') {
      const status = await call(request, connection, 'GET', '/mfa');
      if (status.status !== 200) {
        return redirect(ctx, withNext(`${ctx.ui}/signin`, withNext(`${ctx.ui}/mfa/setup`, next)));
      }
      if (status.body.totp.enabled) return redirect(ctx, next ?? `${ctx.ui}/account`);
      return send(ctx, totpStartPage(ctx, next, status.body.required === true, emptyForm));
    }
    if (path === '/mfa/setup' && method === 'POST') {
      const reply = await call(request, connection, 'POST', '/mfa/totp/setup');
      if (reply.status === 200) return send(ctx, totpScanPage(ctx, next, reply.body, emptyForm));
      const code = reply.body?.error?.code;
      if (code === 'reauthentication_required' || code === 'unauthenticated' || code === 'conflict') {
        return refusedAction(ctx, reply, withNext(`${ctx.ui}/mfa/setup`, next));
      }
      // Say why (no server secret, a form from another site…) rather than drop the browser elsewhere.
      const status = await call(request, connection, 'GET', '/mfa');
      const required = status.status === 200 && status.body.required === true;
      return send(ctx, totpStartPage(ctx, next, required, formError(ctx, reply, {})), reply.status);
    }
    if (path === '/mfa/setup/confirm' && method === 'POST') {
      const code = ((await readForm(request)).code ?? '').trim();
      const reply = await call(request, connection, 'POST', '/mfa/totp/confirm', { code });
      if (reply.status === 200) {
        return send(ctx, recoveryCodesPage(ctx, reply.body.recoveryCodes, next ?? `${ctx.ui}/account`));
      }
      const refusal = reply.body?.error?.code;
      if (refusal === 'reauthentication_required' || refusal === 'unauthenticated') {
        return refusedAction(ctx, reply, withNext(`${ctx.ui}/mfa/setup`, next));
      }
      // A wrong code, too many tries, a form from another site: the form again, with the reason.
      return send(ctx, totpScanPage(ctx, next, null, formError(ctx, reply, {})), reply.status);
    }

    if (path === '/reauthenticate') {
      const status = await call(request, connection, 'GET', '/mfa');
      if (status.status !== 200) return redirect(ctx, withNext(`${ctx.ui}/signin`, next));
      const options = reauthOptions(status);
      if (method === 'GET')
        return send(ctx, reauthenticatePage(ctx, next, options, emptyForm), 200, options.passkey);
      if (method === 'POST') {
        const form = await readForm(request);
        const body =
          form.password !== undefined ? { password: form.password } : { code: (form.code ?? '').trim() };
        const reply = await call(request, connection, 'POST', '/reauthenticate', body);
        if (reply.status === 200) return redirect(ctx, next ?? `${ctx.ui}/account`, reply);
        const state = formError(ctx, reply, {});
        const refused =
          reply.body?.error?.code === 'invalid_credentials'
            ? { ...state, formError: ctx.t('reauthWrong') }
            : state;
        return send(ctx, reauthenticatePage(ctx, next, options, refused), reply.status, options.passkey);
      }
    }

    return null;
  };

  /** What the step-up page offers besides the password: a code form, a passkey button. */
  function reauthOptions(status: ApiReply) {
    return {
      password: status.body.password !== false,
      totp: status.body.totp.enabled === true,
      passkey: status.body.passkeys > 0,
    };
  }

  /** A refused enrolment step: step-up first, sign-in when the session is gone, else the account page. */
  function refusedAction(ctx: PageContext, reply: ApiReply, back: string): Response {
    const code = reply.body?.error?.code;
    if (code === 'reauthentication_required') return redirect(ctx, reauthenticateUrl(ctx.ui, back));
    if (code === 'unauthenticated') return redirect(ctx, withNext(`${ctx.ui}/signin`, back));
    return redirect(ctx, `${ctx.ui}/account`);
  }
}
