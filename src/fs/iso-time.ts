/**
 * A time as Date.prototype.toISOString() writes it (`2025-01-02T03:04:05.678Z`), by arithmetic.
 * toISOString() first sets up V8's time-zone cache, which reads the system's time-zone data: more
 * than a millisecond, for a UTC string that needs none of it.
 */
const DAY_MS = 86_400_000;

export function isoTime(ms: number = Date.now()): string {
  const days = Math.floor(ms / DAY_MS);
  const time = ms - days * DAY_MS;
  // Days since 1970-01-01 to year, month, day (H. Hinnant's civil_from_days, eras of 400 years).
  const shifted = days + 719_468; // from 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const [hours, minutes, seconds] = [Math.floor(time / 3_600_000), Math.floor(time / 60_000) % 60, Math.floor(time / 1000) % 60];
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(time % 1000, 3)}Z`;
}
