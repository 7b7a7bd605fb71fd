import type { Locale } from '../../shared/contract';
import { createTranslator, type Catalog } from '../../shared/i18n/i18n';

/** The staff pages' words (login, header, refusals), French first. */
const fr: Catalog = {
  'staff.brand': 'Fidèle',
  'staff.brand_sub': 'Siège — espace du personnel',
  'staff.login.title': 'Connexion',
  'staff.login.page_title': 'Connexion — Fidèle Siège',
  'staff.login.intro': 'Connectez-vous avec le compte que votre administrateur vous a remis.',
  'staff.login.username': 'Identifiant',
  'staff.login.password': 'Mot de passe',
  'staff.login.submit': 'Se connecter',
  'staff.login.failed': 'Identifiant ou mot de passe incorrect.',
  'staff.login.limited': 'Trop de tentatives. Réessayez dans {minutes} min.',
  'staff.login.footer': 'Accès réservé au personnel habilité du siège.',
  'staff.login.other_lang': 'English',
  'staff.header.signed_in_as': 'Connecté : {username} ({role})',
  'staff.header.logout': 'Se déconnecter',
  'staff.nav.label': 'Pages du siège',
  'staff.nav.incidents': 'Incidents clients',
  'staff.nav.console': 'Console',
  'staff.role.it': 'informatique',
  'staff.role.marketing': 'marketing',
  'staff.role.service': 'service client',
  'staff.role.admin': 'administration',
  'staff.forbidden.title': 'Accès refusé',
  'staff.forbidden.body': 'Votre rôle ({role}) ne donne pas accès à cette page.',
};

const en: Catalog = {
  'staff.brand': 'Fidèle',
  'staff.brand_sub': 'Headquarters — staff area',
  'staff.login.title': 'Sign in',
  'staff.login.page_title': 'Sign in — Fidèle Headquarters',
  'staff.login.intro': 'Sign in with the account your administrator gave you.',
  'staff.login.username': 'Username',
  'staff.login.password': 'Password',
  'staff.login.submit': 'Sign in',
  'staff.login.failed': 'Wrong username or password.',
  'staff.login.limited': 'Too many attempts. Try again in {minutes} min.',
  'staff.login.footer': 'For authorised headquarters staff only.',
  'staff.login.other_lang': 'Français',
  'staff.header.signed_in_as': 'Signed in: {username} ({role})',
  'staff.header.logout': 'Sign out',
  'staff.nav.label': 'Headquarters pages',
  'staff.nav.incidents': 'Customer incidents',
  'staff.nav.console': 'Console',
  'staff.role.it': 'IT',
  'staff.role.marketing': 'marketing',
  'staff.role.service': 'customer service',
  'staff.role.admin': 'administration',
  'staff.forbidden.title': 'Access denied',
  'staff.forbidden.body': 'Your role ({role}) does not give access to this page.',
};

export const translateStaff = createTranslator({ fr, en });

export const localeOf = (query: unknown): Locale => ((query as { lang?: unknown } | null)?.lang === 'en' ? 'en' : 'fr');
