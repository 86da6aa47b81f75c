import { describe, expect, it } from 'vitest';
import { ConfigError, createAuth, type GatehouseConfig, type WebhookConfig } from '../../src/index.js';
import { SECRET } from './receiver.js';

function problemsOf(config: GatehouseConfig): string[] {
  try {
    createAuth({ logLevel: 'silent', database: { url: ':memory:' }, ...config });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('webhook configuration', () => {
  it('accepts https anywhere and plain http to the loopback host only', async () => {
    for (const url of [
      'https://hooks.example.com/gatehouse',
      'http://127.0.0.1:4000/hook',
      'http://localhost/hook',
      'http://[::1]:8080/',
    ]) {
      expect(problemsOf({ webhooks: [{ url, secret: SECRET }] }), url).toEqual([]);
    }
  });

  it('names each bad webhook and what is wrong with it, all at once', () => {
    const problems = problemsOf({
      webhooks: [
        { url: 'http://hooks.example.com/gatehouse', secret: SECRET },
        { url: 'not a url', secret: SECRET },
        { url: 'ftp://127.0.0.1/x', secret: SECRET },
        { url: 'https://hooks.example.com/a', secret: 'too short' },
        {
          url: 'https://hooks.example.com/b',
          secret: SECRET,
          events: ['signup', 'user_exploded'],
        } as unknown as WebhookConfig,
      ],
    });
    expect(problems).toEqual([
      'webhooks.0.url: must be an https URL (plain http only to 127.0.0.1 or localhost)',
      'webhooks.1.url: must be an absolute URL such as https://hooks.example.com/gatehouse',
      'webhooks.2.url: must be an https URL (plain http only to 127.0.0.1 or localhost)',
      'webhooks.3.secret: must be at least 32 characters',
      'webhooks.4.events.1: "user_exploded" is not an audit event type',
    ]);
    expect(problems.join('\n')).not.toContain(SECRET);
  });

  it('refuses two webhooks going by one name, given or derived from the URL', () => {
    expect(
      problemsOf({
        webhooks: [
          { url: 'https://a.example.com/hook', secret: SECRET, name: 'crm' },
          { url: 'https://b.example.com/hook', secret: SECRET, name: 'crm' },
          { url: 'https://a.example.com/hook?x=1', secret: SECRET },
          { url: 'https://a.example.com/hook?x=2', secret: SECRET },
        ],
      }),
    ).toEqual([
      'webhooks.1.name: "crm" is also the name of webhooks.0; give each webhook its own name',
      'webhooks.3.name: "a.example.com/hook" is also the name of webhooks.2; give each webhook its own name',
    ]);
  });

  it('checks names, the payload switches and the delivery settings', () => {
    expect(
      problemsOf({
        webhooks: [
          {
            url: 'https://a.example.com/',
            secret: SECRET,
            name: ' spaced',
            include: { ip: 'yes' },
            extra: 1,
          } as unknown as WebhookConfig,
        ],
        webhookDelivery: { timeoutMs: 0, maxAttempts: 1000, pollIntervalMs: 1, retentionDays: 1.5 },
      })
        .map((p) => p.split(':')[0])
        .sort(),
    ).toEqual([
      'webhookDelivery.maxAttempts',
      'webhookDelivery.pollIntervalMs',
      'webhookDelivery.retentionDays',
      'webhookDelivery.timeoutMs',
      'webhooks.0',
      'webhooks.0.include.ip',
      'webhooks.0.name',
    ]);
  });
});
