import type { CallingWindow } from '../scheduler/calling-window.interface';

/**
 * Where a rule applies: a country (ISO 3166-1 alpha-2 of the called number),
 * optionally narrowed to a region of it (US state / CA province as its
 * two-letter postal code, e.g. `FL`).
 */
export interface Jurisdiction {
  country: string;
  region?: string;
}

/** At most `calls` attempts to one number within a rolling `hours`. */
export interface CallCap {
  calls: number;
  hours: number;
}

/**
 * A calling rule as data: when calls to a person in its jurisdiction may be
 * placed, in the person's local time, and how often. A call is placed only
 * when every applicable rule is open in every zone the person may be in.
 */
export interface CallingRule {
  /** Stable id, shown in explanations: `us-federal`, `us-fl`, `es`. */
  id: string;
  /** Human name: `US federal (TCPA)`. */
  name: string;
  /** The statute or regulation, as cited (with a URL where there is one). */
  source: string;
  jurisdiction: Jurisdiction;
  /**
   * Local hours and days when calls are allowed. Several windows: allowed in
   * any of them (Texas: weekdays and Saturday 09:00–21:00, Sunday 12:00–21:00).
   */
  windows: CallingWindow[];
  /** No calls on the public holidays of the jurisdiction (from `date-holidays`). */
  noCallsOnPublicHolidays?: boolean;
  cap?: CallCap;
}
