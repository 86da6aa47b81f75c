// Passkeys on the pre-built pages, over their server-rendered HTML. WebAuthn is a browser API, so this is
// the pages' only script; it needs `SimpleWebAuthnBrowser` (the UMD build of @simplewebauthn/browser),
// loaded before it. Elements marked `data-gh-passkey` stay hidden unless this browser can use passkeys:
//
//   data-gh-passkey="authenticate" (a button inside) or "register" (a form, with an optional input `name`)
//   data-options  where to POST for the options       data-verify  where to POST the browser's response
//   data-body     JSON merged into both bodies         data-next    where to go when the answer names no `redirectTo`
//   data-field    the body field for the browser's response (default `response`)
//   data-failed   the message for any failure          data-exists  (register) the authenticator has one already
//   data-reauth   the page that confirms who is there, when the API asks for a recent sign-in (`?next=` added)
//
// Failures are written into the element's `[data-gh-passkey-error]` (a live region). Elements marked
// `data-gh-passkey-fallback` (what to do without passkeys) are hidden once passkeys are usable.
(() => {
  const webauthn = globalThis.SimpleWebAuthnBrowser;
  if (!webauthn || !window.PublicKeyCredential) return;

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
    if (!response.ok) {
      const refusal = new Error(`${url} answered ${response.status}`);
      refusal.code = answer?.error?.code ?? 'unexpected_response';
      throw refusal;
    }
    return answer;
  }

  /** Runs one ceremony from `root`: options, the browser's part (`ceremony`), verification, then the next page. */
  function enable(root, ceremony) {
    const { dataset } = root;
    const field = dataset.field ?? 'response';
    const button = root.querySelector('button');
    const error = root.querySelector('[data-gh-passkey-error]');
    const extra = dataset.body ? JSON.parse(dataset.body) : {};
    return async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      error.textContent = '';
      try {
        const options = await post(dataset.options, extra);
        const answer = await post(dataset.verify, { ...extra, ...(await ceremony(options, field)) });
        window.location.assign(answer?.redirectTo ?? dataset.next);
      } catch (problem) {
        if (problem.code === 'reauthentication_required' && dataset.reauth) {
          const here = window.location.pathname + window.location.search;
          window.location.assign(`${dataset.reauth}?next=${encodeURIComponent(here)}`);
          return;
        }
        const exists = problem.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' && dataset.exists;
        error.textContent = exists ? dataset.exists : dataset.failed;
        button.disabled = false;
      }
    };
  }

  for (const root of document.querySelectorAll('[data-gh-passkey]')) {
    if (root.dataset.ghPasskey === 'register') {
      const run = enable(root, async (optionsJSON, field) => {
        const name = root.querySelector('input[name=name]')?.value.trim();
        return { [field]: await webauthn.startRegistration({ optionsJSON }), ...(name ? { name } : {}) };
      });
      root.addEventListener('submit', run);
    } else {
      const run = enable(root, async (optionsJSON, field) => ({
        [field]: await webauthn.startAuthentication({ optionsJSON }),
      }));
      root.querySelector('button').addEventListener('click', run);
    }
    root.hidden = false;
  }
  for (const fallback of document.querySelectorAll('[data-gh-passkey-fallback]')) fallback.hidden = true;
})();
