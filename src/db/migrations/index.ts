import type { Migration } from '../migrator.js';
import { initial } from './0001_initial.js';
import { sessions } from './0002_sessions.js';
import { auditAndRateLimits } from './0003_audit_rate_limits.js';
import { permissions } from './0004_permissions.js';
import { declaredPermissions } from './0005_declared_permissions.js';
import { impersonation } from './0006_impersonation.js';
import { webhooks } from './0007_webhooks.js';
import { userSearch } from './0008_user_search.js';
import { mailOutbox } from './0009_mail_outbox.js';
import { oneTimeTokens } from './0010_one_time_tokens.js';
import { socialAccounts } from './0011_social_accounts.js';
import { mfa } from './0012_mfa.js';
import { tenants } from './0013_tenants.js';
import { serviceTokens } from './0014_service_tokens.js';

/** Every migration, in order. Append new files here; never edit one that has been released. */
export const migrations: readonly Migration[] = [
  initial,
  sessions,
  auditAndRateLimits,
  permissions,
  declaredPermissions,
  impersonation,
  webhooks,
  userSearch,
  mailOutbox,
  oneTimeTokens,
  socialAccounts,
  mfa,
  tenants,
  serviceTokens,
];
