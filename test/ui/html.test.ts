import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../src/ui/html.js';
import {
  fieldMessageTranslator,
  frFieldMessages,
  negotiateLocale,
  translator,
} from '../../src/ui/messages.js';

describe('html templates', () => {
  it('escape every interpolated value', () => {
    const name = `<script>alert("x")</script>&'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    );
  });

  it('compose nested templates and lists without escaping them twice', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
  });

  it('render nothing for null, undefined and false', () => {
    expect(html`[${null}${undefined}${false}${0}]`.value).toBe('[0]');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('messages', () => {
  it('fill placeholders and fall back to English for missing keys', () => {
    const t = translator({ signInTitle: 'Connexion' });
    expect(t('signInTitle')).toBe('Connexion');
    expect(t('rateLimited', { seconds: 30 })).toBe('Too many attempts. Try again in 30 seconds.');
  });

  it('translate the API’s English field errors, numbers and words included, and leave unknown ones alone', () => {
    const fr = fieldMessageTranslator(frFieldMessages);
    expect(fr('Enter a password.')).toBe('Saisissez un mot de passe.');
    expect(fr('The password must contain at least 12 characters.')).toBe(
      'Le mot de passe doit contenir au moins 12 caractères.',
    );
    expect(fr('The password is too similar to your first name.')).toBe(
      'Le mot de passe ressemble trop à votre first name.',
    );
    expect(fr('A sentence nobody translated.')).toBe('A sentence nobody translated.');
    expect(fr('Enter a password.x')).toBe('Enter a password.x');
  });

  it('negotiate the language from Accept-Language among the available tables', () => {
    expect(negotiateLocale('fr-CA,fr;q=0.9,en;q=0.8', ['en', 'fr'], 'en')).toBe('fr');
    expect(negotiateLocale('de-DE,de;q=0.9', ['en', 'fr'], 'en')).toBe('en');
    expect(negotiateLocale('de;q=1, fr;q=0.5', ['en', 'fr'], 'en')).toBe('fr');
    expect(negotiateLocale('fr;q=0, en', ['en', 'fr'], 'en')).toBe('en');
    expect(negotiateLocale(null, ['en', 'fr'], 'en')).toBe('en');
  });
});
