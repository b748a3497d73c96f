/** The argument of `CallOutcomeService.report` that was rejected. */
export type InvalidOutcomeReportField =
  'callId' | 'attempt' | 'outcome' | 'details';

/**
 * Thrown by `CallOutcomeService.report` for a report that can never be
 * recorded: a call id that is not a UUID, an attempt that is not a positive
 * integer, an outcome not in `CALL_OUTCOMES`, or details that are not a plain
 * JSON object. Nothing was read or written. A host's webhook maps it to 400
 * (a well-formed report for an unknown or finished attempt is not an error:
 * `report` returns false).
 */
export class InvalidOutcomeReportError extends Error {
  override readonly name = 'InvalidOutcomeReportError';

  constructor(
    /** Which argument was rejected. */
    readonly field: InvalidOutcomeReportField,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
