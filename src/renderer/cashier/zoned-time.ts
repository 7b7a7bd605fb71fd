/**
 * Date and time with the zone, « 07/12/2026 16:00:40 UTC+1 »: IT staff on the
 * phone with a store may read it from another zone, or compare it with HQ's.
 */
export function zonedStamp(locale: string, at: number): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'Europe/Paris',
    timeZoneName: 'short',
  }).format(new Date(at));
}
