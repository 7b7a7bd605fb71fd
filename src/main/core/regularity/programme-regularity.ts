import type { Db } from '../db/database';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../../shared/programme/default-programme';
import { Regularity } from '../../../shared/programme/document';
import type { RegularitySettings } from '../../../shared/programme/regularity';
import type { ProgramRules } from '../../../shared/programme/rules-schema';

/**
 * The regularity section of the programme version a sale is priced by: read
 * once per version from the signed document HQ sent (versions never change),
 * so a sale asks the database nothing. Before HQ sent any version, the
 * shipped default's; a version whose document has none (an older HQ), or one
 * this terminal cannot read, gives none: no visit counts, no bonus is granted.
 */
export function regularitySettings(db: Db): (rules: ProgramRules) => RegularitySettings | null {
  const documentOf = db.prepare<[string], { document: string }>('SELECT document FROM programme_version WHERE version = ?');
  const byVersion = new Map<string, RegularitySettings | null>();
  return (rules) => {
    if (byVersion.has(rules.version)) return byVersion.get(rules.version)!;
    const row = documentOf.get(rules.version);
    let settings: RegularitySettings | null = DEFAULT_PROGRAMME_DOCUMENT.regularity;
    if (row) {
      const parsed = Regularity.safeParse((JSON.parse(row.document) as { regularity?: unknown }).regularity);
      settings = parsed.success ? parsed.data : null;
    }
    byVersion.set(rules.version, settings);
    return settings;
  };
}
