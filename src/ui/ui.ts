/**
 * The pre-built UI under `{basePath}/ui`: server-rendered pages whose forms
 * work without JavaScript. Each form posts to a UI route, which calls the
 * JSON API in process and then either redirects (303, the cookie passed on)
 * or renders the form again with the API's errors beside their fields.
 */
import { createHash } from 'node:crypto';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { UiConfig } from '../config.js';
import type { AuthCore } from '../core.js';
import type { Api, ConnectionInfo } from '../http/api.js';
import { readBody } from '../http/body.js';
import { resolveRedirect } from '../http/redirects.js';
import { pathOf } from '../http/route-table.js';
import { type ApiReply, apiCaller } from './api-client.js';
import type { FormState, PageContext } from './context.js';
import { emptyForm } from './context.js';
import { toApiBody } from './form-body.js';
import { pageHeaders } from './headers.js';
import type { Brand } from './layout.js';
import {
  type FieldMessageTable,
  fieldMessageTranslator,
  type MessageKey,
  type Messages,
  negotiateLocale,
  shippedFieldMessages,
  shippedMessages,
  type Translate,
  translator,
} from './messages.js';
import { mfaScreens, reauthenticateUrl } from './mfa-screens.js';
import { type AccountView, accountPage } from './pages/account.js';
import { homePage } from './pages/home.js';
import { recoveryCodesPage } from './pages/mfa.js';
import { notFoundPage } from './pages/not-found.js';
import {
  magicLinkLandingPage,
  magicLinkRequestPage,
  otpCodePage,
  otpRequestPage,
} from './pages/passwordless.js';
import {
  confirmEmailChangePage,
  forgotPasswordPage,
  resetPasswordPage,
  verifyEmailPage,
} from './pages/recovery.js';
import { signInPage } from './pages/sign-in.js';
import { signOutPage } from './pages/sign-out.js';
import { signUpPage } from './pages/sign-up.js';
import { passkeyAssets } from './passkey-assets.js';
import { type Site, tenantFrame } from './tenant-frame.js';
import { tenantScreens } from './tenant-screens.js';
import { stylesheet } from './theme.js';

const NOTICES: Record<string, keyof Messages> = {
  profile: 'profileSaved',
  password: 'passwordChanged',
  session: 'sessionRevoked',
  sessions: 'sessionsRevoked',
  signout: 'signedOut',
  reset: 'passwordReset',
  email: 'emailChangeSent',
  verify: 'verificationSent',
  linked: 'accountLinked',
  'mfa-off': 'mfaDisabled',
  device: 'deviceForgotten',
  unlinked: 'accountUnlinked',
  passkey_added: 'passkeyAdded',
  passkey_renamed: 'passkeyRenamed',
  passkey_removed: 'passkeyRemoved',
  joined: 'invitationJoined',
};

/** What a refused social sign-in (`?error=` from the callback) says on the sign-in page. */
const SIGN_IN_REFUSALS: Record<string, keyof Messages> = {
  oauth_failed: 'oauthFailed',
  conflict: 'oauthAccountExists',
  forbidden: 'oauthForbidden',
  email_not_verified: 'emailNotVerified',
  mfa_expired: 'mfaChallengeGone',
};

/** What a refused link (`?error=` from the callback) says on the account page. */
const LINK_REFUSALS: Record<string, keyof Messages> = {
  oauth_failed: 'oauthFailed',
  conflict: 'oauthLinkTaken',
  unauthenticated: 'oauthLinkSession',
};

export interface Ui {
  /** The UI's base path, e.g. `/auth/ui`. */
  readonly basePath: string;
  /** The page brand (name, logo, stylesheet URL), shared with the dashboard. */
  readonly brand: Brand;
  handle(request: Request, connection?: ConnectionInfo): Promise<Response>;
  /** The standalone server's home page. */
  home(request: Request, connection?: ConnectionInfo): Promise<Response>;
}

export function createUi<F extends CustomFields>(core: AuthCore<F>, api: Api<F>): Ui {
  const config: UiConfig = core.config.ui ?? {};
  const base = `${api.settings.basePath}/ui`;
  const css = stylesheet(config.colors);
  const cssUrl = `${base}/assets/ui-${createHash('sha256').update(css).digest('hex').slice(0, 10)}.css`;
  const passkeys = core.config.passkeys?.enabled === false ? null : passkeyAssets(`${base}/assets`);
  /** Whether the sign-in and account pages load the passkey scripts (and their CSP allows them). */
  const scripted = passkeys !== null;
  const tables: Record<string, Partial<Messages>> = { ...shippedMessages };
  for (const [locale, table] of Object.entries(config.messages ?? {})) {
    tables[locale] = { ...tables[locale], ...table };
  }
  const locales = Object.keys(tables);
  const fieldTranslators = new Map<string, (message: string) => string>();
  for (const locale of locales) {
    const table: FieldMessageTable = { ...shippedFieldMessages[locale], ...config.fieldMessages?.[locale] };
    fieldTranslators.set(locale, fieldMessageTranslator(Object.keys(table).length > 0 ? table : undefined));
  }
  const fields = (core.config.user?.fields ?? {}) as CustomFields;
  const call = apiCaller(api);
  const brand = {
    productName: config.productName ?? 'Gatehouse',
    logoUrl: config.logoUrl ?? null,
    stylesheetUrl: cssUrl,
  };
  const site: Site = {
    apiBase: api.settings.basePath,
    brand,
    providers: core.oauth.list(),
    signUpEnabled: core.config.signUp?.enabled !== false,
    passkeys: scripted,
    defaultRedirect: config.defaultRedirect ?? null,
  };
  // A form's answer may redirect to a provider (linking an account): its origin must be a form target too.
  const formTargets = () =>
    [...new Set([...api.settings.trustedOrigins, ...core.oauth.authorizationOrigins()])].join(' ');

  function contextFor(request: Request, connection?: ConnectionInfo): PageContext {
    const lang = config.locale ?? negotiateLocale(request.headers.get('accept-language'), locales, 'en');
    return {
      lang,
      t: translator(tables[lang] ?? {}),
      translateField: fieldTranslators.get(lang) ?? ((message: string) => message),
      fields,
      passkeyScripts: passkeys?.urls ?? null,
      ...tenantFrame(site, connection?.tenant),
    };
  }

  const headersFor = (lang: string, scripts = false) =>
    pageHeaders({ lang, formTargets: formTargets(), https: api.settings.cookie?.secure === true, scripts });

  const send = (ctx: PageContext, body: string, status = 200, scripts = false) =>
    new Response(body, { status, headers: headersFor(ctx.lang, scripts) });

  function redirect(ctx: PageContext, location: string, reply?: ApiReply): Response {
    const headers = headersFor(ctx.lang);
    headers.location = location;
    const response = new Response(null, { status: 303, headers });
    for (const cookie of reply?.setCookies ?? []) response.headers.append('set-cookie', cookie);
    return response;
  }

  /** The `next` of a request if it is a safe target, else null (the default applies). */
  function nextOf(request: Request): string | null {
    const next = new URL(request.url).searchParams.get('next');
    if (next === null) return null;
    return resolveRedirect(next, {
      publicUrl: api.settings.publicOrigin ?? new URL(request.url).origin,
      trustedOrigins: [...api.settings.trustedOrigins],
    });
  }

  function noticeOf(request: Request, t: Translate): string | null {
    const key = NOTICES[new URL(request.url).searchParams.get('done') ?? ''];
    return key ? t(key) : null;
  }

  /** The refusal a redirect back from the API carries (`?error=code`), in the page's words. */
  function refusalOf(request: Request, t: Translate, table: Record<string, keyof Messages>): string | null {
    const code = new URL(request.url).searchParams.get('error');
    if (code === null) return null;
    return t(Object.hasOwn(table, code) ? (table[code] as keyof Messages) : 'oauthFailed');
  }

  async function readForm(request: Request): Promise<Record<string, string>> {
    const { fields: raw } = await readBody(request);
    return Object.fromEntries(
      Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }

  async function accountView(request: Request, connection?: ConnectionInfo): Promise<AccountView | null> {
    const session = await call(request, connection, 'GET', '/session');
    if (session.status !== 200) return null;
    const [list, linked, keys, mfa, devices, tenants] = await Promise.all([
      call(request, connection, 'GET', '/sessions'),
      call(request, connection, 'GET', '/linked-accounts'),
      scripted ? call(request, connection, 'GET', '/passkeys') : null,
      call(request, connection, 'GET', '/mfa'),
      call(request, connection, 'GET', '/trusted-devices'),
      call(request, connection, 'GET', '/tenants'),
    ]);
    return {
      user: session.body.user,
      sessions: list.status === 200 ? list.body.sessions : [],
      impersonated: session.body.session.impersonator !== null,
      linkedAccounts: linked.status === 200 ? linked.body.accounts : [],
      passkeys: keys?.status === 200 ? keys.body.passkeys : [],
      mfa: mfa.status === 200 ? mfa.body : null,
      devices: devices.status === 200 ? devices.body.devices : [],
      otherTenants:
        tenants.status === 200 &&
        tenants.body.tenants.some((tenant: { current: boolean }) => !tenant.current),
    };
  }

  const mfaScreen = mfaScreens({
    rememberOffered:
      core.config.mfa?.trustedDevices !== undefined && core.config.mfa.trustedDevices !== false,
    call,
    send,
    redirect,
    readForm,
    formError,
    nextOf,
  });

  /**
   * Where a sign-in's API answer sends the browser: the challenge page when a
   * second factor is due, enrolment when the MFA policy asks for one, else on.
   * Null: the sign-in was refused.
   */
  function afterSignIn(ctx: PageContext, reply: ApiReply, next: string | null): Response | null {
    const query = next ? `?next=${encodeURIComponent(next)}` : '';
    if (reply.body?.error?.code === 'mfa_required') return redirect(ctx, `${ctx.ui}/mfa${query}`, reply);
    if (reply.status !== 200 && reply.status !== 201) return null;
    const onward = next ?? reply.body?.redirectTo ?? ctx.defaultRedirect;
    if (reply.body?.mfaEnrollmentRequired) {
      return redirect(ctx, `${ctx.ui}/mfa/setup?next=${encodeURIComponent(onward)}`, reply);
    }
    return redirect(ctx, onward, reply);
  }

  const tenantScreen = tenantScreens({
    apiBase: api.settings.basePath,
    tenants: core.tenants,
    getSession: (request) => api.getSession(request),
    call,
    send,
    redirect,
    readForm,
    formError,
    nextOf,
    afterSignIn,
  });

  const signInAgain = (ctx: PageContext) =>
    redirect(ctx, `${ctx.ui}/signin?next=${encodeURIComponent(`${ctx.ui}/account`)}`);

  /**
   * Whether the request has a session in its tenant. `getSession` alone takes
   * any tenant's session when the path named the tenant; the pages must not
   * send a browser signed in elsewhere to a page that will not have it.
   */
  async function signedInHere(request: Request, connection?: ConnectionInfo): Promise<boolean> {
    const found = await api.getSession(request);
    const here = connection?.tenant?.tenant.id;
    return found !== null && (here === undefined || found.session.tenantId === here);
  }

  async function handle(request: Request, connection?: ConnectionInfo): Promise<Response> {
    const path = pathOf(request.url).slice(base.length) || '/';
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const ctx = contextFor(request, connection);
    const { t } = ctx;

    const asset = method === 'GET' ? passkeys?.serve(base + path) : null;
    if (asset) return asset;
    if (method === 'GET' && path === cssUrl.slice(base.length)) {
      return new Response(css, {
        headers: {
          'content-type': 'text/css; charset=utf-8',
          'cache-control': 'public, max-age=31536000, immutable',
          'x-content-type-options': 'nosniff',
        },
      });
    }
    if (method === 'GET' && (path === '/' || path === '')) {
      return redirect(
        ctx,
        (await signedInHere(request, connection)) ? `${ctx.ui}/account` : `${ctx.ui}/signin`,
      );
    }
    const mfaAnswer = await mfaScreen(request, connection, ctx, path, method);
    if (mfaAnswer) return mfaAnswer;
    const tenantAnswer = tenantScreen(request, connection, ctx, path, method);
    if (tenantAnswer) return tenantAnswer;

    if (path === '/signin') {
      const next = nextOf(request);
      if (method === 'GET') {
        if (await signedInHere(request, connection)) return redirect(ctx, next ?? ctx.defaultRedirect);
        const refusal = refusalOf(request, t, SIGN_IN_REFUSALS);
        // `?email=`: a page that knows the address (an accepted invitation) fills it in.
        const identifier = new URL(request.url).searchParams.get('email') ?? '';
        const state = { ...emptyForm, values: { identifier }, formError: refusal };
        return send(ctx, signInPage(ctx, next, state, noticeOf(request, t)), 200, ctx.methods.passkey);
      }
      if (method === 'POST') {
        const form = await readForm(request);
        const identifier = (form.identifier ?? '').trim();
        const key = identifier.includes('@') ? 'email' : 'username';
        const reply = await call(request, connection, 'POST', '/signin', {
          [key]: identifier,
          password: form.password ?? '',
        });
        const onward = afterSignIn(ctx, reply, next);
        if (onward) return onward;
        const state = formError(ctx, reply, { identifier }, { email: 'identifier', username: 'identifier' });
        return send(ctx, signInPage(ctx, next, state, null), reply.status, ctx.methods.passkey);
      }
    }

    if (path === '/signup') {
      const next = nextOf(request);
      if (method === 'GET') return send(ctx, signUpPage(ctx, next, emptyForm));
      if (method === 'POST') {
        const form = await readForm(request);
        const body = toApiBody(fields, form, ['email', 'password', 'username', 'firstName', 'lastName']);
        const reply = await call(request, connection, 'POST', '/signup', body);
        // No session in the reply: verification is required before sign-in.
        if (reply.status === 201 && !reply.body?.session) {
          return redirect(
            ctx,
            `${ctx.ui}/signin?done=verify${next ? `&next=${encodeURIComponent(next)}` : ''}`,
          );
        }
        if (reply.status === 201) return redirect(ctx, next ?? ctx.defaultRedirect, reply);
        const { password: _, ...kept } = form;
        return send(ctx, signUpPage(ctx, next, formError(ctx, reply, kept)), reply.status);
      }
    }

    if (path === '/account' && method === 'GET') {
      const view = await accountView(request, connection);
      if (!view) return signInAgain(ctx);
      return send(
        ctx,
        accountPage(ctx, view, {
          notice: noticeOf(request, t),
          linking: refusalOf(request, t, LINK_REFUSALS),
        }),
        200,
        scripted,
      );
    }

    if (path.startsWith('/account/') && method === 'POST') {
      const form = await readForm(request);
      let reply: ApiReply;
      let done: string;
      if (path === '/account/profile') {
        reply = await call(
          request,
          connection,
          'PATCH',
          '/user',
          toApiBody(fields, form, ['username', 'firstName', 'lastName'], true),
        );
        done = 'profile';
      } else if (path === '/account/password') {
        reply = await call(request, connection, 'POST', '/password/change', {
          currentPassword: form.currentPassword ?? '',
          newPassword: form.newPassword ?? '',
        });
        done = 'password';
      } else if (path === '/account/email') {
        reply = await call(request, connection, 'POST', '/email/change', { newEmail: form.newEmail ?? '' });
        done = 'email';
      } else if (path === '/account/sessions/revoke') {
        reply = await call(request, connection, 'DELETE', `/sessions/${encodeURIComponent(form.id ?? '')}`);
        done = 'session';
      } else if (path === '/account/sessions/revoke-others') {
        reply = await call(request, connection, 'DELETE', '/sessions');
        done = 'sessions';
      } else if (path === '/account/linked-accounts/unlink') {
        reply = await call(
          request,
          connection,
          'DELETE',
          `/linked-accounts/${encodeURIComponent(form.id ?? '')}`,
        );
        done = 'unlinked';
      } else if (path === '/account/mfa/disable') {
        const code = (form.code ?? '').trim();
        // Digits (apps show them as "123 456") are the app's code; anything else a recovery code.
        const answer = /^[\d\s]*$/.test(code) ? { code } : { recoveryCode: code };
        reply = await call(request, connection, 'DELETE', '/mfa/totp', answer);
        done = 'mfa-off';
      } else if (path === '/account/mfa/recovery-codes') {
        reply = await call(request, connection, 'POST', '/mfa/recovery-codes');
        if (reply.status === 200) {
          return send(ctx, recoveryCodesPage(ctx, reply.body.recoveryCodes, `${ctx.ui}/account`));
        }
        done = 'mfa';
      } else if (path === '/account/devices/forget') {
        reply = await call(
          request,
          connection,
          'DELETE',
          `/trusted-devices/${encodeURIComponent(form.id ?? '')}`,
        );
        done = 'device';
      } else if (path === '/account/passkeys/rename') {
        const id = encodeURIComponent(form.id ?? '');
        reply = await call(request, connection, 'PATCH', `/passkeys/${id}`, { name: form.name ?? '' });
        done = 'passkey_renamed';
      } else if (path === '/account/passkeys/remove') {
        reply = await call(request, connection, 'DELETE', `/passkeys/${encodeURIComponent(form.id ?? '')}`);
        done = 'passkey_removed';
      } else {
        return notFound(ctx);
      }
      if (reply.body?.error?.code === 'reauthentication_required') {
        return redirect(ctx, reauthenticateUrl(ctx.ui, `${ctx.ui}/account`));
      }
      if (reply.status === 401) return signInAgain(ctx);
      if (reply.status < 300) return redirect(ctx, `${ctx.ui}/account?done=${done}`, reply);
      const view = await accountView(request, connection);
      if (!view) return signInAgain(ctx);
      const state =
        done === 'password'
          ? formError(ctx, reply, {}, { password: 'newPassword' })
          : formError(ctx, reply, done === 'profile' ? form : {});
      const passkeyRefusal =
        reply.status === 409 ? t('passkeyRemoveLast') : (state.errors.name ?? state.formError);
      const page =
        done === 'unlinked'
          ? accountPage(ctx, view, { linking: reply.status === 409 ? t('unlinkLast') : state.formError })
          : done.startsWith('passkey_')
            ? accountPage(ctx, view, { passkeys: passkeyRefusal })
            : done === 'mfa-off' || done === 'mfa' || done === 'device'
              ? accountPage(ctx, view, {
                  mfa: {
                    ...state,
                    errors: state.errors.recoveryCode ? { code: state.errors.recoveryCode } : state.errors,
                  },
                })
              : done === 'password'
                ? accountPage(ctx, view, { password: state })
                : done === 'email'
                  ? accountPage(ctx, view, { email: { ...state, values: { newEmail: form.newEmail ?? '' } } })
                  : accountPage(ctx, view, { profile: state });
      return send(ctx, page, reply.status, scripted);
    }

    if (path === '/forgot-password') {
      if (method === 'GET') return send(ctx, forgotPasswordPage(ctx, emptyForm, false));
      if (method === 'POST') {
        const email = (await readForm(request)).email ?? '';
        const reply = await call(request, connection, 'POST', '/password/reset', { email });
        if (reply.status === 202) return send(ctx, forgotPasswordPage(ctx, emptyForm, true));
        return send(ctx, forgotPasswordPage(ctx, formError(ctx, reply, { email }), false), reply.status);
      }
    }

    if (path === '/reset-password') {
      if (method === 'GET') {
        const token = new URL(request.url).searchParams.get('token') ?? '';
        return send(ctx, resetPasswordPage(ctx, token, emptyForm));
      }
      if (method === 'POST') {
        const form = await readForm(request);
        const token = form.token ?? '';
        const reply = await call(request, connection, 'POST', '/password/reset/confirm', {
          token,
          newPassword: form.newPassword ?? '',
        });
        if (reply.status === 204) return redirect(ctx, `${ctx.ui}/signin?done=reset`);
        return send(ctx, resetPasswordPage(ctx, token, formError(ctx, reply, {})), reply.status);
      }
    }

    if (path === '/verify-email') {
      if (method === 'GET') {
        const token = new URL(request.url).searchParams.get('token') ?? '';
        return send(ctx, verifyEmailPage(ctx, token, 'ask'));
      }
      if (method === 'POST') {
        const token = (await readForm(request)).token ?? '';
        const reply = await call(request, connection, 'POST', '/email/verify/confirm', { token });
        if (reply.status === 200) return send(ctx, verifyEmailPage(ctx, token, 'done'));
        const state = formError(ctx, reply, {});
        const why = state.errors.token ?? state.formError ?? t('somethingWrong');
        return send(ctx, verifyEmailPage(ctx, token, why), reply.status);
      }
    }

    if (path === '/confirm-email-change') {
      if (method === 'GET') {
        const token = new URL(request.url).searchParams.get('token') ?? '';
        return send(ctx, confirmEmailChangePage(ctx, token, 'ask'));
      }
      if (method === 'POST') {
        const token = (await readForm(request)).token ?? '';
        const reply = await call(request, connection, 'POST', '/email/change/confirm', { token });
        if (reply.status === 200) {
          return send(ctx, confirmEmailChangePage(ctx, token, { changedTo: reply.body.user.email }));
        }
        const state = formError(ctx, reply, {});
        const problem = state.errors.token ?? state.formError ?? t('somethingWrong');
        return send(ctx, confirmEmailChangePage(ctx, token, { problem }), reply.status);
      }
    }

    if (path === '/magic-link' || path === '/magic-link/send' || path === '/otp' || path === '/otp/send') {
      const answer = await passwordless(request, connection, ctx, path, method);
      if (answer) return answer;
    }

    if (path === '/impersonation/end' && method === 'POST') {
      const reply = await call(request, connection, 'POST', '/impersonation/end');
      if (reply.status === 200 && reply.body.returned) {
        return redirect(ctx, config.dashboardUrl ?? `${api.settings.basePath}/dashboard/`, reply);
      }
      if (reply.status === 401 || reply.status === 200) return redirect(ctx, `${ctx.ui}/signin`, reply);
      return send(ctx, signOutPage(ctx, formError(ctx, reply, {}).formError), reply.status);
    }

    if (path === '/signout') {
      if (method === 'GET') return send(ctx, signOutPage(ctx));
      if (method === 'POST') {
        const reply = await call(request, connection, 'POST', '/signout');
        if (reply.status === 204) return redirect(ctx, `${ctx.ui}/signin?done=signout`, reply);
        return send(ctx, signOutPage(ctx, formError(ctx, reply, {}).formError), reply.status);
      }
    }
    return notFound(ctx);
  }

  /**
   * Magic link and email code. The link's landing page only shows a button:
   * posting it spends the token, in whatever browser opened the link.
   */
  async function passwordless(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
    path: string,
    method: string,
  ): Promise<Response | null> {
    const next = nextOf(request);
    const redirectTo = next ? { redirectTo: next } : {};
    const signedIn = (reply: ApiReply) => afterSignIn(ctx, reply, null) as Response;
    if (path === '/magic-link' && method === 'GET') {
      const token = new URL(request.url).searchParams.get('token');
      if (token === null) return send(ctx, magicLinkRequestPage(ctx, next, emptyForm, false));
      return send(ctx, magicLinkLandingPage(ctx, token, null));
    }
    if (path === '/magic-link' && method === 'POST') {
      const token = (await readForm(request)).token ?? '';
      const reply = await call(request, connection, 'POST', '/magic-link/verify', { token });
      if (reply.status === 200 || reply.body?.error?.code === 'mfa_required') return signedIn(reply);
      const state = formError(ctx, reply, {});
      const why = state.errors.token ?? state.formError ?? ctx.t('somethingWrong');
      return send(ctx, magicLinkLandingPage(ctx, token, why), reply.status);
    }
    if (path === '/magic-link/send' && method === 'POST') {
      const email = ((await readForm(request)).email ?? '').trim();
      const reply = await call(request, connection, 'POST', '/magic-link', { email, ...redirectTo });
      const sent = reply.status === 202;
      const state = sent ? { ...emptyForm, values: { email } } : formError(ctx, reply, { email });
      return send(ctx, magicLinkRequestPage(ctx, next, state, sent), sent ? 200 : reply.status);
    }
    if (path === '/otp' && method === 'GET') return send(ctx, otpRequestPage(ctx, next, emptyForm));
    if (path === '/otp' && method === 'POST') {
      const form = await readForm(request);
      const email = (form.email ?? '').trim();
      const code = (form.code ?? '').trim();
      const reply = await call(request, connection, 'POST', '/otp/verify', { email, code, ...redirectTo });
      if (reply.status === 200 || reply.body?.error?.code === 'mfa_required') return signedIn(reply);
      return send(ctx, otpCodePage(ctx, next, email, formError(ctx, reply, { email }), false), reply.status);
    }
    if (path === '/otp/send' && method === 'POST') {
      const email = ((await readForm(request)).email ?? '').trim();
      const reply = await call(request, connection, 'POST', '/otp', { email });
      if (reply.status === 202) return send(ctx, otpCodePage(ctx, next, email, emptyForm, true));
      return send(ctx, otpRequestPage(ctx, next, formError(ctx, reply, { email })), reply.status);
    }
    return null;
  }

  function notFound(ctx: PageContext): Response {
    return send(ctx, notFoundPage(ctx), 404);
  }

  return {
    basePath: base,
    brand,
    handle,
    async home(request) {
      const ctx = contextFor(request);
      const signedIn = await api.getSession(request);
      return send(ctx, homePage(ctx, signedIn?.user.email ?? null, config.dashboardUrl ?? null));
    },
  };
}

/** The page's own sentence for the API's refusals that need no detail. */
const FORM_ERROR_MESSAGES: Record<string, MessageKey> = {
  invalid_credentials: 'invalidCredentials',
  email_not_verified: 'emailNotVerified',
  csrf_failed: 'csrfFailed',
  conflict: 'emailTaken',
  not_a_member: 'notAMember',
  method_disabled: 'methodDisabled',
  tenant_disabled: 'tenantDisabled',
};

/** The form state to show again after the API refused: its field errors, or one sentence for the form. */
function formError(
  ctx: PageContext,
  reply: ApiReply,
  values: Record<string, string>,
  rename: Record<string, string> = {},
): FormState {
  const { t } = ctx;
  const error = reply.body?.error ?? {};
  // No prototype: a field named like an Object member must still be recorded.
  const errors: Record<string, string> = Object.create(null);
  for (const [name, message] of Object.entries((error.fields ?? {}) as Record<string, string>)) {
    errors[rename[name] ?? name] ??= ctx.translateField(message);
  }
  let formError: string | null = null;
  const fixed = FORM_ERROR_MESSAGES[error.code as string];
  switch (error.code) {
    case 'rate_limited':
      formError = t('rateLimited', { seconds: reply.retryAfter ?? '60' });
      break;
    case 'invalid_request':
    case 'password_invalid':
      if (Object.keys(errors).length === 0) formError = error.message ?? t('somethingWrong');
      break;
    default:
      formError = fixed ? t(fixed) : typeof error.message === 'string' ? error.message : t('somethingWrong');
  }
  return { values, errors, formError };
}
