/**
 * The UI's text. English is complete and is the fallback; every other table
 * may leave keys out. An app overrides any key per locale through
 * `ui.messages`, and the locale comes from `ui.locale` or, unset, from the
 * browser's `Accept-Language` among the tables there are.
 */

export const en = {
  signInTitle: 'Sign in',
  signInIntro: 'Sign in to {product}.',
  signUpTitle: 'Create an account',
  signUpIntro: 'Create your {product} account.',
  accountTitle: 'Your account',
  signOutTitle: 'Sign out',
  signOutQuestion: 'Sign out of {product} on this device?',
  homeTitle: 'Welcome',
  emailOrUsername: 'Email or username',
  email: 'Email',
  password: 'Password',
  newPassword: 'New password',
  currentPassword: 'Current password',
  username: 'Username',
  firstName: 'First name',
  lastName: 'Last name',
  optional: 'optional',
  signInButton: 'Sign in',
  signUpButton: 'Create account',
  signOutButton: 'Sign out',
  saveButton: 'Save',
  changePasswordButton: 'Change password',
  revokeButton: 'Sign out this session',
  revokeOthersButton: 'Sign out all other sessions',
  noAccount: 'No account yet?',
  haveAccount: 'Already have an account?',
  profileHeading: 'Profile',
  passwordHeading: 'Password',
  sessionsHeading: 'Where you are signed in',
  thisDevice: 'This device',
  lastSeen: 'Last active {when}',
  unknownDevice: 'Unknown device',
  signedInAs: 'Signed in as {name}.',
  notSignedIn: 'You are not signed in.',
  goToAccount: 'Your account',
  goToDashboard: 'Dashboard',
  errorSummary: 'There is a problem',
  invalidCredentials: 'The email, username or password is not right.',
  rateLimited: 'Too many attempts. Try again in {seconds} seconds.',
  somethingWrong: 'Something went wrong. Try again.',
  csrfFailed: 'This form was sent from another site. Open the page again and retry.',
  signUpClosed: 'Sign-up is closed.',
  emailTaken: 'An account with this email or username already exists.',
  profileSaved: 'Your profile is saved.',
  passwordChanged: 'Your password is changed. Your other sessions were signed out.',
  sessionRevoked: 'That session is signed out.',
  sessionsRevoked: 'All your other sessions are signed out.',
  signedOut: 'You are signed out.',
  language: 'Language',
  notFoundTitle: 'There is no such page',
  skipToContent: 'Skip to main content',
  impersonating: 'You are acting as {name}.',
  impersonationEndButton: 'Return to your account',
  forgotLink: 'Forgot your password?',
  forgotTitle: 'Reset your password',
  forgotIntro:
    'Enter the email address of your account and we will send you a link to choose a new password.',
  sendResetButton: 'Send the link',
  resetSent: 'If an account uses that address, a link is on its way. It works once, for one hour.',
  backToSignIn: 'Back to sign in',
  resetTitle: 'Choose a new password',
  askNewLink: 'Ask for a new link',
  passwordReset: 'Your password is changed. Sign in with it.',
  verifyTitle: 'Confirm your email address',
  verifyIntro: 'Confirm that this address is yours.',
  verifyButton: 'Confirm my email address',
  emailVerified: 'Your email address is confirmed.',
  magicLinkLink: 'Email me a sign-in link',
  otpLink: 'Email me a sign-in code',
  magicLinkTitle: 'Sign in with a link',
  magicLinkIntro: 'Enter your email address and we will send you a link that signs you in.',
  sendMagicLinkButton: 'Send me a link',
  sendAgainButton: 'Send again',
  checkMailTitle: 'Check your email',
  magicLinkSent:
    'If this address can sign in, a link is on its way. It works once, for 15 minutes, in any browser.',
  magicLinkLandingIntro: 'Sign in to {product} in this browser.',
  otpTitle: 'Sign in with a code',
  otpIntro: 'Enter your email address and we will send you a 6-digit code.',
  sendCodeButton: 'Send me a code',
  otpSent: 'If {email} can sign in, a 6-digit code is on its way. It expires in 10 minutes.',
  code: 'Code',
  askNewCode: 'Ask for a new code',
  emailHeading: 'Email address',
  currentEmail: 'Your address is {email}.',
  newEmail: 'New email address',
  changeEmailButton: 'Change email',
  emailChangeSent:
    'Check the new address: it becomes your account’s address when you open the link we sent to it.',
  confirmEmailChangeTitle: 'Confirm your new email address',
  confirmEmailChangeIntro: 'Make this address the email address of your account.',
  confirmEmailChangeButton: 'Confirm my new address',
  emailChanged: 'Your email address is changed to {email}.',
  emailNotVerified:
    'Confirm your email address before signing in. We sent you a link: open it, then sign in again.',
  verificationSent:
    'Your account is created. Confirm your email address with the link we sent to it, then sign in.',
  orDivider: 'or',
  continueWith: 'Continue with {provider}',
  linkedAccountsHeading: 'Linked accounts',
  linkedAccountsIntro: 'You can also sign in with these accounts.',
  noLinkedAccounts: 'No account is linked yet.',
  linkedSince: 'Linked on {when}',
  linkButton: 'Link {provider}',
  unlinkButton: 'Unlink',
  accountLinked: 'The account is linked: you can sign in with it now.',
  accountUnlinked: 'The account is unlinked.',
  unlinkLast:
    'This is your only way to sign in. Link another account first, or set a password with “Forgot your password?” on the sign-in page.',
  oauthFailed: 'Signing in with that provider did not work. Try again.',
  oauthAccountExists:
    'An account already uses this email address. Sign in another way, then link the provider from your account page.',
  oauthForbidden: 'You cannot sign in with that account: it is disabled, or new accounts are closed.',
  oauthLinkTaken: 'That account is already linked to another account.',
  oauthLinkSession: 'Linking did not finish in the session that started it. Try again.',
};

export type Messages = typeof en;
export type MessageKey = keyof Messages;

export const fr: Partial<Messages> = {
  signInTitle: 'Connexion',
  signInIntro: 'Connectez-vous à {product}.',
  signUpTitle: 'Créer un compte',
  signUpIntro: 'Créez votre compte {product}.',
  accountTitle: 'Votre compte',
  signOutTitle: 'Déconnexion',
  signOutQuestion: 'Se déconnecter de {product} sur cet appareil ?',
  homeTitle: 'Bienvenue',
  emailOrUsername: 'E-mail ou nom d’utilisateur',
  email: 'E-mail',
  password: 'Mot de passe',
  newPassword: 'Nouveau mot de passe',
  currentPassword: 'Mot de passe actuel',
  username: 'Nom d’utilisateur',
  firstName: 'Prénom',
  lastName: 'Nom',
  optional: 'facultatif',
  signInButton: 'Se connecter',
  signUpButton: 'Créer le compte',
  signOutButton: 'Se déconnecter',
  saveButton: 'Enregistrer',
  changePasswordButton: 'Changer le mot de passe',
  revokeButton: 'Déconnecter cette session',
  revokeOthersButton: 'Déconnecter toutes les autres sessions',
  noAccount: 'Pas encore de compte ?',
  haveAccount: 'Vous avez déjà un compte ?',
  profileHeading: 'Profil',
  passwordHeading: 'Mot de passe',
  sessionsHeading: 'Où vous êtes connecté',
  thisDevice: 'Cet appareil',
  lastSeen: 'Dernière activité {when}',
  unknownDevice: 'Appareil inconnu',
  signedInAs: 'Connecté en tant que {name}.',
  notSignedIn: 'Vous n’êtes pas connecté.',
  goToAccount: 'Votre compte',
  goToDashboard: 'Tableau de bord',
  errorSummary: 'Il y a un problème',
  invalidCredentials: 'L’e-mail, le nom d’utilisateur ou le mot de passe est incorrect.',
  rateLimited: 'Trop de tentatives. Réessayez dans {seconds} secondes.',
  somethingWrong: 'Une erreur est survenue. Réessayez.',
  csrfFailed: 'Ce formulaire a été envoyé depuis un autre site. Rouvrez la page et réessayez.',
  signUpClosed: 'Les inscriptions sont fermées.',
  emailTaken: 'Un compte avec cet e-mail ou ce nom d’utilisateur existe déjà.',
  profileSaved: 'Votre profil est enregistré.',
  passwordChanged: 'Votre mot de passe est changé. Vos autres sessions ont été déconnectées.',
  sessionRevoked: 'Cette session est déconnectée.',
  sessionsRevoked: 'Toutes vos autres sessions sont déconnectées.',
  signedOut: 'Vous êtes déconnecté.',
  language: 'Langue',
  notFoundTitle: 'Cette page n’existe pas',
  skipToContent: 'Aller au contenu principal',
  impersonating: 'Vous agissez en tant que {name}.',
  impersonationEndButton: 'Revenir à votre compte',
  forgotLink: 'Mot de passe oublié ?',
  forgotTitle: 'Réinitialiser votre mot de passe',
  forgotIntro:
    'Saisissez l’adresse de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.',
  sendResetButton: 'Envoyer le lien',
  resetSent: 'Si un compte utilise cette adresse, un lien est en route. Il sert une fois, pendant une heure.',
  backToSignIn: 'Retour à la connexion',
  resetTitle: 'Choisir un nouveau mot de passe',
  askNewLink: 'Demander un nouveau lien',
  passwordReset: 'Votre mot de passe est changé. Connectez-vous avec.',
  verifyTitle: 'Confirmer votre adresse e-mail',
  verifyIntro: 'Confirmez que cette adresse est la vôtre.',
  verifyButton: 'Confirmer mon adresse',
  emailVerified: 'Votre adresse e-mail est confirmée.',
  magicLinkLink: 'Recevoir un lien de connexion par e-mail',
  otpLink: 'Recevoir un code de connexion par e-mail',
  magicLinkTitle: 'Se connecter avec un lien',
  magicLinkIntro: 'Saisissez votre adresse e-mail : nous vous enverrons un lien qui vous connecte.',
  sendMagicLinkButton: 'Envoyer le lien',
  sendAgainButton: 'Renvoyer',
  checkMailTitle: 'Consultez vos e-mails',
  magicLinkSent:
    'Si cette adresse peut se connecter, un lien est en route. Il sert une fois, pendant 15 minutes, dans n’importe quel navigateur.',
  magicLinkLandingIntro: 'Connectez-vous à {product} dans ce navigateur.',
  otpTitle: 'Se connecter avec un code',
  otpIntro: 'Saisissez votre adresse e-mail : nous vous enverrons un code à 6 chiffres.',
  sendCodeButton: 'Envoyer le code',
  otpSent: 'Si {email} peut se connecter, un code à 6 chiffres est en route. Il expire dans 10 minutes.',
  code: 'Code',
  askNewCode: 'Demander un nouveau code',
  emailHeading: 'Adresse e-mail',
  currentEmail: 'Votre adresse est {email}.',
  newEmail: 'Nouvelle adresse e-mail',
  changeEmailButton: 'Changer l’adresse',
  emailChangeSent:
    'Consultez la nouvelle adresse : elle devient celle de votre compte quand vous ouvrez le lien que nous y avons envoyé.',
  confirmEmailChangeTitle: 'Confirmer votre nouvelle adresse e-mail',
  confirmEmailChangeIntro: 'Faire de cette adresse l’adresse e-mail de votre compte.',
  confirmEmailChangeButton: 'Confirmer ma nouvelle adresse',
  emailChanged: 'Votre adresse e-mail est maintenant {email}.',
  emailNotVerified:
    'Confirmez votre adresse e-mail avant de vous connecter. Nous vous avons envoyé un lien : ouvrez-le, puis reconnectez-vous.',
  verificationSent:
    'Votre compte est créé. Confirmez votre adresse e-mail avec le lien envoyé, puis connectez-vous.',
  orDivider: 'ou',
  continueWith: 'Continuer avec {provider}',
  linkedAccountsHeading: 'Comptes associés',
  linkedAccountsIntro: 'Vous pouvez aussi vous connecter avec ces comptes.',
  noLinkedAccounts: 'Aucun compte n’est encore associé.',
  linkedSince: 'Associé le {when}',
  linkButton: 'Associer {provider}',
  unlinkButton: 'Dissocier',
  accountLinked: 'Le compte est associé : vous pouvez maintenant vous connecter avec.',
  accountUnlinked: 'Le compte est dissocié.',
  unlinkLast:
    'C’est votre seul moyen de connexion. Associez d’abord un autre compte, ou définissez un mot de passe avec « Mot de passe oublié ? » sur la page de connexion.',
  oauthFailed: 'La connexion avec ce fournisseur n’a pas abouti. Réessayez.',
  oauthAccountExists:
    'Un compte utilise déjà cette adresse e-mail. Connectez-vous autrement, puis associez le fournisseur depuis la page de votre compte.',
  oauthForbidden:
    'Vous ne pouvez pas vous connecter avec ce compte : il est désactivé, ou les inscriptions sont fermées.',
  oauthLinkTaken: 'Ce compte est déjà associé à un autre compte.',
  oauthLinkSession: 'L’association n’a pas abouti dans la session qui l’a commencée. Réessayez.',
};

export const shippedMessages: Record<string, Partial<Messages>> = { en, fr };

/**
 * The API's field errors are English sentences. Pages in another language
 * translate them through a table keyed by the English sentence, as gettext
 * does; `{n}` and `{text}` stand for a number and a word in the sentence.
 * A sentence missing from the table is shown in English.
 */
export type FieldMessageTable = Record<string, string>;

export const frFieldMessages: FieldMessageTable = {
  'Enter an email address.': 'Saisissez une adresse e-mail.',
  'Enter a single email address of the form name@example.com.':
    'Saisissez une seule adresse e-mail de la forme nom@exemple.com.',
  'The domain after @ is not valid.': 'Le domaine après @ n’est pas valide.',
  'The part before @ contains characters that are not allowed.':
    'La partie avant @ contient des caractères non autorisés.',
  'Enter your email or username.': 'Saisissez votre e-mail ou votre nom d’utilisateur.',
  'Enter your email or your username.': 'Saisissez votre e-mail ou votre nom d’utilisateur.',
  'Enter a password.': 'Saisissez un mot de passe.',
  'Enter a new password.': 'Saisissez un nouveau mot de passe.',
  'Enter your current password.': 'Saisissez votre mot de passe actuel.',
  'This is not your current password.': 'Ce n’est pas votre mot de passe actuel.',
  'This password is too common. Choose one that would be harder to guess.':
    'Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.',
  'This password has appeared in a data breach. Choose a different one.':
    'Ce mot de passe est apparu dans une fuite de données. Choisissez-en un autre.',
  'The password cannot be made of digits only.':
    'Le mot de passe ne peut pas être composé uniquement de chiffres.',
  'The password must contain at least {n} characters.':
    'Le mot de passe doit contenir au moins {n} caractères.',
  'The password must contain at most {n} characters.':
    'Le mot de passe doit contenir au plus {n} caractères.',
  'The password is too similar to your {text}.': 'Le mot de passe ressemble trop à votre {text}.',
  'A user with this email already exists.': 'Un utilisateur avec cet e-mail existe déjà.',
  'A user with this username already exists.': 'Un utilisateur avec ce nom d’utilisateur existe déjà.',
  'Enter at most {n} characters.': 'Saisissez au plus {n} caractères.',
  'Enter a number.': 'Saisissez un nombre.',
  'Enter text.': 'Saisissez du texte.',
  'This field is required.': 'Ce champ est obligatoire.',
  'Enter the code from the email.': 'Saisissez le code reçu par e-mail.',
  'This code is not right, or it was used or has expired. Ask for a new one.':
    'Ce code est incorrect, ou il a déjà servi ou expiré. Demandez-en un nouveau.',
  'This link is not valid any more: it was used, replaced or has expired. Ask for a new one.':
    'Ce lien n’est plus valide : il a servi, a été remplacé ou a expiré. Demandez-en un nouveau.',
};

export const shippedFieldMessages: Record<string, FieldMessageTable> = { fr: frFieldMessages };

/** Translates one English field error through `table`, or returns it as it is. */
export function fieldMessageTranslator(table: FieldMessageTable | undefined): (message: string) => string {
  if (!table) return (message) => message;
  const patterns = Object.entries(table).map(([english, translated]) => {
    const names: string[] = [];
    const source = english
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{(n|text)\}/g, (_, name: string) => {
        names.push(name);
        return name === 'n' ? '(\\d+)' : '(.+?)';
      });
    return { regex: new RegExp(`^${source}$`), names, translated };
  });
  return (message) => {
    for (const { regex, names, translated } of patterns) {
      const match = regex.exec(message);
      if (match)
        return names.reduce((text, name, i) => text.replace(`{${name}}`, match[i + 1] ?? ''), translated);
    }
    return message;
  };
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(table: Partial<Messages>): Translate {
  return (key, values = {}) =>
    (table[key] ?? en[key]).replace(/\{(\w+)\}/g, (match, name: string) =>
      name in values ? String(values[name]) : match,
    );
}

/** The best of `available` for an `Accept-Language` header; `fallback` when none fits. */
export function negotiateLocale(
  header: string | null,
  available: readonly string[],
  fallback: string,
): string {
  if (!header) return fallback;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.tag !== '' && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const exact = available.find((locale) => locale.toLowerCase() === tag);
    if (exact) return exact;
    const primary = available.find((locale) => locale.toLowerCase() === tag.split('-')[0]);
    if (primary) return primary;
  }
  return fallback;
}
