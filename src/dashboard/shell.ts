/**
 * The dashboard's page shell: brand, the sections the staff member may open
 * (and only those), who is signed in, and the main landmark. Styles come from
 * the UI's stylesheet, so the dashboard follows the configured colours.
 */
import { impersonationBanner } from '../ui/banner.js';
import { html, type SafeHtml } from '../ui/html.js';
import type { Brand } from '../ui/layout.js';

/** The signed-in staff member and what they may do. */
export interface Staff {
  id: string;
  email: string;
  isSuperuser: boolean;
  can(permission: string): boolean;
}

export type Section = 'users' | 'groups' | 'permissions' | 'tenants' | 'audit' | 'webhooks';

const SECTIONS: readonly { section: Section; label: string; permission: string }[] = [
  { section: 'users', label: 'Users', permission: 'user.view' },
  { section: 'groups', label: 'Groups', permission: 'group.view' },
  { section: 'permissions', label: 'Permissions', permission: 'permission.view' },
  { section: 'tenants', label: 'Tenants', permission: 'tenant.view' },
  { section: 'audit', label: 'Audit log', permission: 'audit.view' },
  { section: 'webhooks', label: 'Webhooks', permission: 'webhook.view' },
];

/** The first section the staff member may open, or null. */
export function firstSection(staff: Staff): Section | null {
  return SECTIONS.find((s) => staff.can(s.permission))?.section ?? null;
}

export interface ShellContext {
  base: string;
  ui: string;
  brand: Brand;
  staff: Staff | null;
  /** The user being acted as, when the session is an impersonation. */
  actingAs: string | null;
}

export function dashboardPage(
  ctx: ShellContext,
  options: { title: string; section?: Section; body: SafeHtml },
): string {
  const { brand, staff } = ctx;
  const nav = staff
    ? html`<nav class="gh-nav" aria-label="Dashboard">
<ul>${SECTIONS.filter((s) => staff.can(s.permission)).map(
        (s) =>
          html`<li><a href="${ctx.base}/${s.section}"${s.section === options.section ? html` aria-current="page"` : ''}>${s.label}</a></li>`,
      )}</ul>
<div class="gh-row"><span class="gh-muted">${staff.email}</span>
<a href="${ctx.ui}/account">Your account</a>
<form method="post" action="${ctx.ui}/signout"><button type="submit" class="gh-secondary">Sign out</button></form></div>
</nav>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${brand.productName} dashboard</title>
<link rel="stylesheet" href="${brand.stylesheetUrl}">
</head>
<body class="gh-dashboard">
<a class="gh-skip" href="#main">Skip to content</a>
${
  ctx.actingAs
    ? impersonationBanner({
        ui: ctx.ui,
        email: ctx.actingAs,
        text: `You are acting as ${ctx.actingAs}.`,
        button: 'Return to your account',
      })
    : ''
}
<header class="gh-brand">${brand.logoUrl ? html`<img src="${brand.logoUrl}" alt="">` : ''}<span>${brand.productName}</span></header>
${nav}
<main id="main" class="gh-admin">
${options.body}
</main>
</body>
</html>
`.value;
}
