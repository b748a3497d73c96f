import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateWebhookSecret, signWebhook } from '../../lib';

describe('webhook signer', () => {
  it('makes whsec_ secrets of 24 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it("signs so that the specification's reference code verifies", () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({
      type: 'campaign.completed',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: { id: 'e1' },
    });
    const headers = signWebhook(
      secret,
      '6f1c1d5e-6a8f-4f59-9d3a-1d3a9f0e2b11',
      new Date(),
      body,
    );
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(
      JSON.parse(body),
    );
  });

  it('a changed body, id or secret does not verify', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook(secret, 'msg-1', new Date(), '{"a":1}');
    const wh = new Webhook(secret);
    expect(() => wh.verify('{"a":2}', { ...headers })).toThrow(
      WebhookVerificationError,
    );
    expect(() =>
      wh.verify('{"a":1}', { ...headers, 'webhook-id': 'msg-2' }),
    ).toThrow(WebhookVerificationError);
    expect(() =>
      new Webhook(generateWebhookSecret()).verify('{"a":1}', { ...headers }),
    ).toThrow(WebhookVerificationError);
  });

  it('signs with every secret of a rotation, space-delimited; either verifies', () => {
    const [current, previous] = [
      generateWebhookSecret(),
      generateWebhookSecret(),
    ];
    const headers = signWebhook([current, previous], 'msg-1', new Date(), '{}');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify('{}', { ...headers })).toEqual({});
    }
  });
});
