import Holidays from 'date-holidays';
import type { Jurisdiction } from './calling-rule.interface';
import type { HolidayCalendar } from './calling-policy';

/**
 * Public holidays from `date-holidays` (entries of `type: 'public'`), by
 * jurisdiction and year, computed once each. The keys come from the calling
 * rules (a fixed set), not from clients.
 */
export class PublicHolidayCalendar implements HolidayCalendar {
  private readonly years = new Map<string, Set<string>>();

  isPublicHoliday(jurisdiction: Jurisdiction, isoDate: string): boolean {
    const year = Number(isoDate.slice(0, 4));
    const key = `${jurisdiction.country}/${jurisdiction.region ?? ''}/${year}`;
    let dates = this.years.get(key);
    if (!dates) {
      const calendar = jurisdiction.region
        ? new Holidays(jurisdiction.country, jurisdiction.region)
        : new Holidays(jurisdiction.country);
      dates = new Set(
        (calendar.getHolidays(year) || [])
          .filter((holiday) => holiday.type === 'public')
          .map((holiday) => holiday.date.slice(0, 10)),
      );
      this.years.set(key, dates);
    }
    return dates.has(isoDate);
  }
}
