/** The bar every page shows while staff act as a user: who they are acting as, and the way back. */
import { html, type SafeHtml } from './html.js';

export function impersonationBanner(options: {
  ui: string;
  email: string;
  text: string;
  button: string;
}): SafeHtml {
  return html`<div class="gh-banner" role="region" aria-label="${options.text}"><strong>${options.text}</strong>
<form method="post" action="${options.ui}/impersonation/end"><button type="submit">${options.button}</button></form></div>`;
}
