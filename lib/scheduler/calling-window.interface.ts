/** When calls may be placed, in the contact's local time. */
export interface CallingWindow {
  /** Local opening time, `HH:mm`. Default `09:00`. */
  start: string;
  /** Local closing time, `HH:mm` (or `24:00`: midnight), exclusive. Default `20:00`. */
  end: string;
  /** ISO weekdays allowed: 1 = Monday … 7 = Sunday. Default Monday–Saturday. */
  days: number[];
}

export const DEFAULT_CALLING_WINDOW: CallingWindow = {
  start: '09:00',
  end: '20:00',
  days: [1, 2, 3, 4, 5, 6],
};
