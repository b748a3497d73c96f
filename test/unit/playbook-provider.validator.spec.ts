import {
  InvalidPlaybookProviderError,
  validatePlaybookProvider,
} from '../../lib';

describe('validatePlaybookProvider', () => {
  it('accepts each provider with its own caller-number form, deduplicated', () => {
    expect(
      validatePlaybookProvider({
        provider: 'twilio',
        assistantId: ' AP0123456789abcdef0123456789abcdef ',
        callerNumbers: ['+14155550100', '+14155550100', '+14155550101'],
      }),
    ).toEqual({
      provider: 'twilio',
      assistantId: 'AP0123456789abcdef0123456789abcdef',
      callerNumbers: ['+14155550100', '+14155550101'],
    });
    expect(
      validatePlaybookProvider({
        provider: 'vapi',
        assistantId: 'asst-1',
        callerNumbers: ['5b0e6a52-8c1d-4e3f-9a7b-2c4d6e8f0a1b'],
        settings: { voicemailMessage: 'Call us back' },
      }).settings,
    ).toEqual({ voicemailMessage: 'Call us back' });
  });

  it.each([
    [null, 'provider: must be an object'],
    [
      { provider: 'bland', assistantId: 'a', callerNumbers: ['+14155550100'] },
      'provider must be one of twilio, vapi, retell',
    ],
    [
      { provider: 'retell', assistantId: '', callerNumbers: ['+14155550100'] },
      'assistantId must be a non-empty string',
    ],
    [
      { provider: 'retell', assistantId: 'agent', callerNumbers: [] },
      'callerNumbers must be 1 to 1000',
    ],
    [
      {
        provider: 'retell',
        assistantId: 'agent',
        callerNumbers: ['4155550100'],
      },
      'callerNumbers.0 must be an E.164 number',
    ],
    [
      { provider: 'vapi', assistantId: 'a', callerNumbers: ['+14155550100'] },
      'callerNumbers.0 must be a Vapi phone-number id',
    ],
    [
      {
        provider: 'twilio',
        assistantId: 'a',
        callerNumbers: ['+14155550100'],
        settings: [],
      },
      'settings must be an object',
    ],
    [
      {
        provider: 'twilio',
        assistantId: 'a',
        callerNumbers: ['+14155550100'],
        from: 'x',
      },
      'from is not a known field',
    ],
  ])('rejects %j', (value, message) => {
    expect(() => validatePlaybookProvider(value)).toThrow(
      InvalidPlaybookProviderError,
    );
    expect(() => validatePlaybookProvider(value)).toThrow(message);
  });
});
