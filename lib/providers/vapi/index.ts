/** `nestjs-call-campaigns/vapi`: the Vapi dialer (needs the optional peer `@vapi-ai/server-sdk`). */
export { VapiDialer, type VapiDialerOptions } from './vapi.dialer';
export {
  VapiWebhook,
  type VapiBearerServerAuth,
  type VapiHmacServerAuth,
  type VapiServerAuth,
  type VapiWebhookOptions,
} from './vapi.webhook';
export {
  VAPI_OUTCOME_TABLE,
  vapiOutcome,
  type VapiOutcomeRow,
} from './vapi-outcomes';
