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
};

export const shippedMessages: Record<string, Partial<Messages>> = { en, fr };

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
