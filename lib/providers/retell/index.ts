/** `nestjs-call-campaigns/retell`: the Retell AI dialer (needs the optional peer `retell-sdk`). */
export {
  RetellDialer,
  type RetellDialerOptions,
  type RetellPlaybookSettings,
} from './retell.dialer';
export { RetellWebhook, type RetellWebhookOptions } from './retell.webhook';
export {
  RETELL_OUTCOME_TABLE,
  retellCallVerdict,
  type RetellCallVerdict,
  type RetellOutcomeRow,
} from './retell-outcomes';
