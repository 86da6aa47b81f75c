import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createAuth, type GatehouseConfig } from '../../src/index.js';

function problemsOf(config: GatehouseConfig): string[] {
  try {
    createAuth({ logLevel: 'silent', database: { url: ':memory:' }, ...config });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('mail configuration', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('accepts a full configuration', () => {
    expect(
      problemsOf({
        mail: {
          smtpUrl: 'smtps://user:pass@smtp.example.com:465',
          from: '"Example, Inc." <no-reply@example.com>',
          templates: { password_reset: () => ({ subject: 's', text: 't', html: 'h' }) },
          retentionDays: 7,
          timeoutMs: 5000,
          autoStart: false,
        },
      }),
    ).toEqual([]);
    expect(problemsOf({ mail: { from: 'no-reply@example.com' } })).toEqual([]);
    expect(problemsOf({ mail: { transport: { send: async () => {} } } })).toEqual([]);
  });

  it('lists every bad key at once, without repeating the SMTP password', () => {
    const problems = problemsOf({
      mail: {
        smtpUrl: 'https://user:hunter2@smtp.example.com',
        from: 'Example <no-reply@example.com>\r\nBcc: x@evil.test',
        retentionDays: 0,
        timeoutMs: 10,
      },
    });
    expect(problems).toEqual([
      'mail.smtpUrl: must start with smtp:// or smtps://',
      'mail.from: must be on one line',
      'mail.retentionDays: Too small: expected number to be >0',
      'mail.timeoutMs: Too small: expected number to be >=100',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('refuses unknown templates, non-functions, bad senders and two transports', () => {
    expect(problemsOf({ mail: { templates: { welcome: () => ({}) } as never } })).toEqual([
      expect.stringMatching(/^mail\.templates: Unrecognized key.*welcome/),
    ]);
    expect(problemsOf({ mail: { templates: { magic_link: 'Sign in' as never } } })).toEqual([
      'mail.templates.magic_link: must be a function',
    ]);
    expect(problemsOf({ mail: { from: 'not an address' } })).toEqual([
      expect.stringMatching(/^mail\.from: must be an address/),
    ]);
    expect(problemsOf({ mail: { smtpUrl: 'smtp://', transport: { send: async () => {} } } })).toHaveLength(2);
    expect(problemsOf({ mail: { smtpUrl: 'smtp://h', transport: { send: async () => {} } } })).toEqual([
      'mail: set smtpUrl or transport, not both',
    ]);
    expect(problemsOf({ mail: { transport: {} as never } })).toEqual([
      'mail.transport: must have a send() method',
    ]);
    expect(problemsOf({ mail: { sender: 'x' } as never })).toEqual([
      expect.stringMatching(/^mail: Unrecognized key.*sender/),
    ]);
  });

  it('checks $SMTP_URL too', () => {
    vi.stubEnv('SMTP_URL', 'mail.example.com:25');
    expect(problemsOf({})).toEqual(['SMTP_URL: must start with smtp:// or smtps://']);
    // A configured transport wins over the environment.
    expect(problemsOf({ mail: { transport: { send: async () => {} } } })).toEqual([]);
  });
});
