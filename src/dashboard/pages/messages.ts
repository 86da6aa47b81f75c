/** The dashboard's plain pages: a confirmation before deleting, and a refusal or "not found". */
import { html } from '../../ui/html.js';
import type { DashboardContext } from '../context.js';
import { dashboardPage, type Section } from '../shell.js';

export function confirmPage(
  ctx: DashboardContext,
  options: {
    title: string;
    question: string;
    action: string;
    button: string;
    back: string;
    section: Section;
  },
): string {
  const body = html`<h1>${options.title}</h1>
<section class="gh-card gh-danger-zone"><p>${options.question}</p>
<div class="gh-row"><form method="post" action="${options.action}"><button type="submit" class="gh-danger">${options.button}</button></form>
<a href="${options.back}">Cancel</a></div></section>`;
  return dashboardPage(ctx, { title: options.title, section: options.section, body });
}

export function messagePage(ctx: DashboardContext, title: string, text: string): string {
  return dashboardPage(ctx, { title, body: html`<h1>${title}</h1><p>${text}</p>` });
}
