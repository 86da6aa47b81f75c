export {
  MAIL_MAX_ATTEMPTS,
  MAIL_RETRY_DELAYS_SECONDS,
  Mail,
  type MailInput,
  type MailRun,
  type MailStatus,
  type OutboxQuery as MailQuery,
  type QueuedMail,
  type ReadyMail,
  type TemplatedMail,
} from './mail.js';
export { DEFAULT_MAIL_RETENTION_DAYS, fromProblem, type MailConfig } from './mail-config.js';
export { type PublicLinkOptions, publicLink } from './public-link.js';
export {
  DEFAULT_EXPIRY_SECONDS,
  defaultTemplates,
  escapeHtml,
  formatDuration,
  MAIL_TEMPLATE_NAMES,
  type MailTemplate,
  type MailTemplateContext,
  type MailTemplateData,
  type MailTemplateName,
  type MailTemplates,
  type RenderedMail,
} from './templates.js';
export {
  type MailMessage,
  MailSendError,
  type MailTransport,
  smtpTransport,
  smtpUrlProblem,
} from './transport.js';
