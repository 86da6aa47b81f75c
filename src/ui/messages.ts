/**
 * The UI's text. English is complete and is the fallback; every other table
 * may leave keys out. An app overrides any key per locale through
 * `ui.messages`, and the locale comes from `ui.locale` or, unset, from the
 * browser's `Accept-Language` among the tables there are.
 */

export const en = {
  reauthSignOutIntro: 'Or sign out, then sign in again the way you usually do.',
  mfaWrongCode: 'That code is not right, or it was already used.',
  mfaChallengeGone: 'This sign-in expired or had too many wrong codes. Sign in again.',
  reauthWrong: 'That is not right. Try again.',
  mfaTitle: 'Two-step verification',
  mfaIntro: 'Enter the 6-digit code from your authenticator app.',
  mfaIntroOther: 'Finish signing in with your second factor.',
  mfaCode: 'Code from your app',
  recoveryCode: 'Recovery code',
  mfaEmailCode: 'Code from the email',
  mfaVerifyButton: 'Verify',
  mfaRememberDevice: 'Remember this browser',
  mfaEmailSent: 'We sent a code to {email}.',
  mfaUsePasskey: 'Use a passkey',
  mfaUseRecoveryCode: 'Use a recovery code',
  mfaUseApp: 'Use a code from your app',
  mfaSendEmailCode: 'Email a code to {email}',
  mfaPasskeyFailed: 'The passkey did not work. Try again, or use a code.',
  mfaHeading: 'Two-step verification',
  mfaRequiredNotice: 'Your organisation asks you to set up a second step for signing in.',
  totpSetupTitle: 'Set up an authenticator app',
  totpSetupIntro:
    'An authenticator app (such as one on your phone) shows a new 6-digit code every 30 seconds. After your password, you will enter that code.',
  totpSetupStart: 'Set up an authenticator app',
  totpStepScan: 'Scan the QR code with your authenticator app, or type the key below into it.',
  totpStepCode: 'Enter the 6-digit code the app shows.',
  totpQrAlt: 'QR code for your authenticator app',
  totpSecretText: 'Key:',
  totpScanAgain: 'Enter the code your app shows for the key you scanned, or start over for a new key.',
  totpConfirmButton: 'Turn on',
  totpStartOver: 'Start over with a new key',
  totpOn: 'An authenticator app is on for your account.',
  totpOff: 'Add a second step to signing in: a code from an authenticator app.',
  totpDisableButton: 'Turn off the authenticator app',
  recoveryCodesTitle: 'Recovery codes',
  recoveryCodesIntro:
    'Save these codes somewhere safe. Each one works once, if you lose your authenticator. They will not be shown again.',
  recoveryCodesDone: 'I have saved them',
  recoveryCodesLeft: 'You have {count} unused recovery codes.',
  recoveryCodesNew: 'Make new recovery codes',
  devicesHeading: 'Remembered browsers',
  forgetDevice: 'Forget',
  reauthTitle: 'Confirm it is you',
  reauthIntro: 'This change needs a recent sign-in. Confirm it is you to go on.',
  reauthButton: 'Confirm',
  reauthPasskey: 'Confirm with a passkey',
  reauthSignInAgain: 'Sign out',
  backToAccount: 'Back to your account',
  mfaDisabled: 'The authenticator app is off.',
  deviceForgotten: 'That browser will ask for the second step again.',
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
  passkeySignInButton: 'Sign in with a passkey',
  passkeySignInFailed: 'Signing in with a passkey did not work. Try again, or sign in another way.',
  passkeysHeading: 'Passkeys',
  passkeysIntro: 'Sign in with your fingerprint, face or screen lock instead of a password.',
  noPasskeys: 'You have no passkey yet.',
  passkeysNeedBrowser:
    'To add a passkey, open this page in a browser that supports passkeys, with JavaScript on.',
  passkeyNameLabel: 'Name of the new passkey',
  addPasskeyButton: 'Add a passkey',
  passkeyAddFailed: 'The passkey was not added. Try again.',
  passkeyExists: 'This device already holds a passkey for your account.',
  passkeyAddedOn: 'Added on {when}',
  passkeyLastUsed: 'last used on {when}',
  passkeyNeverUsed: 'never used',
  renamePasskey: 'Rename',
  newPasskeyName: 'New name for “{name}”',
  saveNameButton: 'Save the name',
  removePasskeyButton: 'Remove',
  passkeyAdded: 'The passkey is added: you can sign in with it now.',
  passkeyRenamed: 'The passkey is renamed.',
  passkeyRemoved: 'The passkey is removed: it no longer signs you in.',
  passkeyRemoveLast:
    'This passkey is your only way to sign in. Add another passkey, link an account, or set a password with “Forgot your password?” on the sign-in page first.',
  notAMember: 'Your account is not a member of this organisation.',
  methodDisabled: 'This way of signing in is not offered here.',
  tenantDisabled: 'This organisation is disabled.',
  tenantsTitle: 'Your organisations',
  tenantsIntro: 'Each organisation has its own sign-in. Switch to work in another one.',
  noTenants: 'You are not a member of any organisation yet.',
  currentTenant: 'Current',
  tenantRoles: 'Your roles: {groups}',
  switchTenantButton: 'Switch',
  switchTenantLink: 'Switch organisation',
  switchNotMember: 'You are not a member of that organisation any more.',
  invitationTitle: 'Join {tenant}',
  invitationFor: 'This invitation is for {email}.',
  invitationRoles: 'You will join with these roles: {groups}.',
  invitationExpires: 'It works until {when}.',
  invitationExisting: 'You already have an account with this address. Accept the invitation, then sign in.',
  invitationNew: 'Create your account to join.',
  acceptInvitationButton: 'Accept the invitation',
  acceptAndCreateButton: 'Create my account and join',
  invitationInvalidTitle: 'This invitation cannot be used',
  invitationInvalid:
    'This invitation link is not valid: it may have expired, been used or been withdrawn. Ask for a new invitation.',
  invitationJoined: 'You joined the organisation. Sign in to continue.',
};

export type Messages = typeof en;
export type MessageKey = keyof Messages;

export const fr: Partial<Messages> = {
  reauthSignOutIntro: 'Ou déconnectez-vous, puis reconnectez-vous comme d’habitude.',
  mfaWrongCode: "Ce code n'est pas bon, ou il a déjà servi.",
  mfaChallengeGone: 'Cette connexion a expiré ou a reçu trop de codes erronés. Reconnectez-vous.',
  reauthWrong: "Ce n'est pas correct. Réessayez.",
  mfaTitle: 'Vérification en deux étapes',
  mfaIntro: "Saisissez le code à 6 chiffres de votre application d'authentification.",
  mfaIntroOther: 'Terminez la connexion avec votre deuxième facteur.',
  mfaCode: 'Code de votre application',
  recoveryCode: 'Code de récupération',
  mfaEmailCode: 'Code reçu par e-mail',
  mfaVerifyButton: 'Vérifier',
  mfaRememberDevice: 'Se souvenir de ce navigateur',
  mfaEmailSent: 'Nous avons envoyé un code à {email}.',
  mfaUsePasskey: "Utiliser une clé d'accès",
  mfaUseRecoveryCode: 'Utiliser un code de récupération',
  mfaUseApp: 'Utiliser un code de votre application',
  mfaSendEmailCode: 'Envoyer un code à {email}',
  mfaPasskeyFailed: "La clé d'accès n'a pas fonctionné. Réessayez, ou utilisez un code.",
  mfaHeading: 'Vérification en deux étapes',
  mfaRequiredNotice: 'Votre organisation vous demande de configurer une deuxième étape de connexion.',
  totpSetupTitle: "Configurer une application d'authentification",
  totpSetupIntro:
    "Une application d'authentification (par exemple sur votre téléphone) affiche un nouveau code à 6 chiffres toutes les 30 secondes. Après votre mot de passe, vous saisirez ce code.",
  totpSetupStart: "Configurer une application d'authentification",
  totpStepScan: 'Scannez le QR code avec votre application, ou saisissez-y la clé ci-dessous.',
  totpStepCode: "Saisissez le code à 6 chiffres affiché par l'application.",
  totpQrAlt: "QR code pour votre application d'authentification",
  totpSecretText: 'Clé :',
  totpScanAgain: 'Saisissez le code affiché pour la clé scannée, ou recommencez avec une nouvelle clé.',
  totpConfirmButton: 'Activer',
  totpStartOver: 'Recommencer avec une nouvelle clé',
  totpOn: "Une application d'authentification est activée pour votre compte.",
  totpOff: "Ajoutez une deuxième étape à la connexion : un code d'une application d'authentification.",
  totpDisableButton: "Désactiver l'application d'authentification",
  recoveryCodesTitle: 'Codes de récupération',
  recoveryCodesIntro:
    'Conservez ces codes en lieu sûr. Chacun fonctionne une fois, si vous perdez votre application. Ils ne seront plus affichés.',
  recoveryCodesDone: 'Je les ai conservés',
  recoveryCodesLeft: 'Il vous reste {count} codes de récupération.',
  recoveryCodesNew: 'Créer de nouveaux codes',
  devicesHeading: 'Navigateurs mémorisés',
  forgetDevice: 'Oublier',
  reauthTitle: "Confirmez qu'il s'agit de vous",
  reauthIntro:
    "Cette modification demande une connexion récente. Confirmez qu'il s'agit de vous pour continuer.",
  reauthButton: 'Confirmer',
  reauthPasskey: "Confirmer avec une clé d'accès",
  reauthSignInAgain: 'Se déconnecter',
  backToAccount: 'Retour à votre compte',
  mfaDisabled: "L'application d'authentification est désactivée.",
  deviceForgotten: 'Ce navigateur demandera de nouveau la deuxième étape.',
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
  passkeySignInButton: 'Se connecter avec une clé d’accès',
  passkeySignInFailed:
    'La connexion avec une clé d’accès n’a pas abouti. Réessayez, ou connectez-vous autrement.',
  passkeysHeading: 'Clés d’accès',
  passkeysIntro:
    'Connectez-vous avec votre empreinte, votre visage ou le verrouillage de l’écran, sans mot de passe.',
  noPasskeys: 'Vous n’avez pas encore de clé d’accès.',
  passkeysNeedBrowser:
    'Pour ajouter une clé d’accès, ouvrez cette page dans un navigateur qui les prend en charge, avec JavaScript activé.',
  passkeyNameLabel: 'Nom de la nouvelle clé d’accès',
  addPasskeyButton: 'Ajouter une clé d’accès',
  passkeyAddFailed: 'La clé d’accès n’a pas été ajoutée. Réessayez.',
  passkeyExists: 'Cet appareil contient déjà une clé d’accès pour votre compte.',
  passkeyAddedOn: 'Ajoutée le {when}',
  passkeyLastUsed: 'dernière utilisation le {when}',
  passkeyNeverUsed: 'jamais utilisée',
  renamePasskey: 'Renommer',
  newPasskeyName: 'Nouveau nom pour « {name} »',
  saveNameButton: 'Enregistrer le nom',
  removePasskeyButton: 'Supprimer',
  passkeyAdded: 'La clé d’accès est ajoutée : vous pouvez maintenant vous connecter avec.',
  passkeyRenamed: 'La clé d’accès est renommée.',
  passkeyRemoved: 'La clé d’accès est supprimée : elle ne vous connecte plus.',
  passkeyRemoveLast:
    'Cette clé d’accès est votre seul moyen de connexion. Ajoutez d’abord une autre clé d’accès, associez un compte, ou définissez un mot de passe avec « Mot de passe oublié ? » sur la page de connexion.',
  notAMember: 'Votre compte n’est pas membre de cette organisation.',
  methodDisabled: 'Ce mode de connexion n’est pas proposé ici.',
  tenantDisabled: 'Cette organisation est désactivée.',
  tenantsTitle: 'Vos organisations',
  tenantsIntro: 'Chaque organisation a sa propre connexion. Changez pour travailler dans une autre.',
  noTenants: 'Vous n’êtes encore membre d’aucune organisation.',
  currentTenant: 'Actuelle',
  tenantRoles: 'Vos rôles : {groups}',
  switchTenantButton: 'Changer',
  switchTenantLink: 'Changer d’organisation',
  switchNotMember: 'Vous n’êtes plus membre de cette organisation.',
  invitationTitle: 'Rejoindre {tenant}',
  invitationFor: 'Cette invitation est adressée à {email}.',
  invitationRoles: 'Vous rejoindrez l’organisation avec ces rôles : {groups}.',
  invitationExpires: 'Elle est valable jusqu’au {when}.',
  invitationExisting:
    'Vous avez déjà un compte avec cette adresse. Acceptez l’invitation, puis connectez-vous.',
  invitationNew: 'Créez votre compte pour rejoindre l’organisation.',
  acceptInvitationButton: 'Accepter l’invitation',
  acceptAndCreateButton: 'Créer mon compte et rejoindre',
  invitationInvalidTitle: 'Cette invitation ne peut pas être utilisée',
  invitationInvalid:
    'Ce lien d’invitation n’est pas valide : il a peut-être expiré, déjà servi ou été retiré. Demandez une nouvelle invitation.',
  invitationJoined: 'Vous avez rejoint l’organisation. Connectez-vous pour continuer.',
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
  'Enter a name for the passkey.': 'Saisissez un nom pour la clé d’accès.',
  'Enter the code.': 'Saisissez le code.',
  'Enter a recovery code.': 'Saisissez un code de récupération.',
  'Enter your password.': 'Saisissez votre mot de passe.',
  'That code is not right, or it was already used.': 'Ce code n’est pas bon, ou il a déjà servi.',
  'That code is not right. Check the app and try the next one.':
    'Ce code n’est pas bon. Vérifiez l’application et essayez le suivant.',
  'Enter a code from your app or a recovery code.':
    'Saisissez un code de votre application ou un code de récupération.',
  'Enter your password or a code from your second factor.':
    'Saisissez votre mot de passe ou un code de votre deuxième facteur.',
  'Enter the name on one line, without control characters.':
    'Saisissez le nom sur une ligne, sans caractères de contrôle.',
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
