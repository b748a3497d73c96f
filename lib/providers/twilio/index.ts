/** `nestjs-call-campaigns/twilio`: the Twilio dialer (needs the optional peer `twilio`). */
export {
  TwilioDialer,
  type TwilioDialerOptions,
  type TwilioMachineDetection,
} from './twilio.dialer';
export {
  TwilioWebhook,
  TWILIO_ATTEMPT_PARAM,
  TWILIO_CALL_ID_PARAM,
  type TwilioWebhookOptions,
} from './twilio.webhook';
export {
  INVALID_NUMBER_SIP_CODES,
  TWILIO_ANSWERED_BY,
  TWILIO_CALL_STATUSES,
  TWILIO_INVALID_NUMBER_ERROR_CODES,
  TWILIO_OUTCOME_TABLE,
  twilioOutcome,
  twilioOutcomeRow,
  type TwilioAnsweredBy,
  type TwilioCallReport,
  type TwilioCallStatus,
  type TwilioOutcomeRow,
} from './twilio-outcomes';
