import { z } from 'zod';
import { Slug } from '../programme/rules-schema';

/**
 * A cause members give points to (issue 16 item 4), as HQ defines it and the
 * pull carries it (`cause:<id>` in the program bucket), with HQ's chain-wide
 * total when it sent it.
 */
export const CauseRecord = z.strictObject({
  id: Slug,
  name: z.string().trim().min(1).max(80),
  description: z.string().trim().max(500),
  /** An https address or a data: URL of a small image; null: none. */
  imageUrl: z
    .string()
    .max(200_000)
    .refine((s) => s.startsWith('https://') || /^data:image\/(png|jpeg|webp|svg\+xml);base64,/.test(s), 'social.image_url')
    .nullable(),
  goalPoints: z.number().int().min(0).max(1_000_000_000),
  status: z.enum(['open', 'closed']),
  /** Points donated chain-wide, as HQ counted them at `totalAt`. */
  totalPoints: z.number().int().min(0),
  totalAt: z.number().int().min(0),
});
export type CauseRecord = z.infer<typeof CauseRecord>;

export const causeKey = (id: string): string => `cause:${id}`;
export const CAUSE_KEY_PREFIX = 'cause:';

/** « 12 430 pts pour l'école Jules-Ferry »: the counter as the screens and the receipt write it. */
export function causeCounterText(points: number, name: string, locale: 'fr' | 'en'): string {
  const n = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB').format(points).replace(/\u202f|\u00a0/g, ' ');
  return locale === 'fr' ? `${n} pts pour ${name}` : `${n} pts for ${name}`;
}
