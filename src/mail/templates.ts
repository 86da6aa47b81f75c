/**
 * The messages Gatehouse mails, each as a subject, a plain-text body and an
 * HTML body. Every template gets the product name, the link or code, and how
 * long it stays valid; every value is escaped in the HTML. An app replaces any
 * of them with `mail.templates` (see `MailConfig`).
 */

/** What each built-in template is rendered from. Links are absolute http(s) URLs (see `publicLink`). */
export interface MailTemplateData {
  /** Confirms the address of a new account (or a re-requested confirmation). */
  verify_email: { link: string; expiresInSeconds?: number };
  password_reset: { link: string; expiresInSeconds?: number };
  /** Signs in without a password. */
  magic_link: { link: string; expiresInSeconds?: number };
  /** A one-time sign-in code. */
  email_otp: { code: string; expiresInSeconds?: number };
  /** Sent to the new address: confirming it makes it the account's address. */
  email_change: { link: string; newEmail: string; expiresInSeconds?: number };
  /**
   * Tells the account's owner that a way into it changed (a second factor
   * added or removed, new recovery codes, a passkey): `change` says what, in a
   * sentence. Nothing to click and nothing that expires.
   */
  security_notice: { change: string; expiresInSeconds?: number };
  /** Invites the address to join an organisation (`tenant`), creating an account if it has none. */
  invitation: { link: string; tenant: string; invitedBy: string | null; expiresInSeconds?: number };
}

export type MailTemplateName = keyof MailTemplateData;

/** What a template is called with: its data plus the product name and the expiry in words. */
export type MailTemplateContext<K extends MailTemplateName> = MailTemplateData[K] & {
  productName: string;
  /** `1 hour`, `15 minutes`, `24 hours`: the time the link or code stays valid, in words. */
  expiresIn: string;
};

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export type MailTemplate<K extends MailTemplateName> = (
  context: MailTemplateContext<K>,
) => RenderedMail | Promise<RenderedMail>;

export type MailTemplates = { [K in MailTemplateName]: MailTemplate<K> };

export const MAIL_TEMPLATE_NAMES: readonly MailTemplateName[] = [
  'verify_email',
  'password_reset',
  'magic_link',
  'email_otp',
  'email_change',
  'security_notice',
  'invitation',
];

/** How long each kind of link or code is valid unless the caller says otherwise (DESIGN.md, issue 8). */
export const DEFAULT_EXPIRY_SECONDS: Readonly<Record<MailTemplateName, number>> = {
  verify_email: 24 * 3600,
  password_reset: 3600,
  magic_link: 15 * 60,
  email_otp: 10 * 60,
  email_change: 24 * 3600,
  /** Nothing in a notice expires; the value is never shown. */
  security_notice: 0,
  invitation: 7 * 24 * 3600,
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `3600` → `1 hour`, `900` → `15 minutes`, `86400` → `24 hours`, `172800` → `2 days`. */
export function formatDuration(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds >= 48 * 3600 && seconds % 86_400 === 0) return unit(seconds / 86_400, 'day');
  if (seconds >= 3600 && seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds >= 60) return unit(Math.round(seconds / 60), 'minute');
  return unit(Math.max(1, Math.round(seconds)), 'second');
}

interface Parts {
  subject: string;
  /** The first paragraph: what this is. */
  intro: string;
  /** A link button (label) or a code; none for a notice. */
  action?: { link: string; label: string } | { code: string };
  /** The validity sentence. */
  expiry: string;
  /** What to do if you did not ask. */
  notYou: string;
}

/** Lays out a message in both forms. `parts` are plain text: the HTML escapes every one. */
export function layout(productName: string, parts: Parts): RenderedMail {
  const action = parts.action;
  const text = [
    parts.intro,
    ...(action ? ['link' in action ? action.link : `Your code: ${action.code}`] : []),
    parts.expiry,
    parts.notYou,
    `— ${productName}`,
  ].join('\n\n');
  const e = escapeHtml;
  const actionHtml = !action
    ? ''
    : 'link' in action
      ? `<p><a href="${e(action.link)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px">${e(action.label)}</a></p>
<p style="font-size:13px;color:#555555">Or paste this link into your browser:<br><span style="word-break:break-all">${e(action.link)}</span></p>`
      : `<p style="font-size:28px;font-weight:bold;letter-spacing:6px;font-family:monospace">${e(action.code)}</p>`;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(parts.subject)}</title></head>
<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#111111;background:#ffffff">
<div style="max-width:560px;margin:0 auto">
<p style="font-weight:bold">${e(productName)}</p>
<p>${e(parts.intro)}</p>
${actionHtml}
<p>${e(parts.expiry)}</p>
<p style="color:#555555">${e(parts.notYou)}</p>
</div>
</body></html>
`;
  return { subject: parts.subject, text, html };
}

export const defaultTemplates: MailTemplates = {
  verify_email: ({ productName, link, expiresIn }) =>
    layout(productName, {
      subject: `Confirm your email address for ${productName}`,
      intro: `Confirm that this is your email address to finish setting up your ${productName} account.`,
      action: { link, label: 'Confirm email address' },
      expiry: `This link expires in ${expiresIn}.`,
      notYou: `If you did not create a ${productName} account, ignore this email: nothing happens without the link.`,
    }),
  password_reset: ({ productName, link, expiresIn }) =>
    layout(productName, {
      subject: `Reset your ${productName} password`,
      intro: `Someone asked to reset the password of your ${productName} account. Open this link to choose a new one.`,
      action: { link, label: 'Choose a new password' },
      expiry: `This link expires in ${expiresIn} and works once.`,
      notYou: 'If you did not ask for this, ignore this email: your password stays as it is.',
    }),
  magic_link: ({ productName, link, expiresIn }) =>
    layout(productName, {
      subject: `Sign in to ${productName}`,
      intro: `Open this link to sign in to ${productName}.`,
      action: { link, label: `Sign in to ${productName}` },
      expiry: `This link expires in ${expiresIn} and works once.`,
      notYou: 'If you did not try to sign in, ignore this email: nobody can sign in without the link.',
    }),
  email_otp: ({ productName, code, expiresIn }) =>
    layout(productName, {
      subject: `Your ${productName} sign-in code: ${code}`,
      intro: `Enter this code to sign in to ${productName}.`,
      action: { code },
      expiry: `The code expires in ${expiresIn}. Never share it: ${productName} will never ask you for it.`,
      notYou: 'If you did not try to sign in, ignore this email: nobody can sign in without the code.',
    }),
  email_change: ({ productName, link, newEmail, expiresIn }) =>
    layout(productName, {
      subject: `Confirm your new email address for ${productName}`,
      intro: `Confirm ${newEmail} as the new email address of your ${productName} account. Until you do, the account keeps its current address.`,
      action: { link, label: 'Confirm new address' },
      expiry: `This link expires in ${expiresIn}.`,
      notYou: `If you did not ask to change the address of a ${productName} account, ignore this email: nothing changes without the link.`,
    }),
  security_notice: ({ productName, change }) =>
    layout(productName, {
      subject: `A security change to your ${productName} account`,
      intro: `${change} This was done on your ${productName} account just now.`,
      expiry: 'If it was you, there is nothing more to do.',
      notYou: `If it was not you, sign in and change your password now, then check your second factors and passkeys — or contact ${productName}'s support.`,
    }),
  invitation: ({ productName, link, tenant, invitedBy, expiresIn }) =>
    layout(productName, {
      subject: `You are invited to join ${tenant} on ${productName}`,
      intro: `${invitedBy ? `${invitedBy} invited you` : 'You are invited'} to join ${tenant} on ${productName}. Open this link to accept.`,
      action: { link, label: `Join ${tenant}` },
      expiry: `This invitation expires in ${expiresIn} and works once.`,
      notYou: 'If you do not know why you got this, ignore this email: nothing happens without the link.',
    }),
};
