/**
 * A readable diff between two programme versions: one line per changed leaf,
 * « path: old → new », in the order of the newer document. Lists of things
 * with an `id` (rewards, promotions, benefits, tiers…) are matched by id, so
 * moving a reward in the list is no change and a changed price reads
 * `rewards[cafe-offert].points: 150 → 120`. Lists of plain values (weekdays,
 * categories) are compared whole.
 */
export interface DiffLine {
  path: string;
  /** undefined: absent on that side. */
  before: unknown;
  after: unknown;
  text: string;
}

type Leaves = Map<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasIds = (v: unknown[]): v is Array<Record<string, unknown> & { id: string }> =>
  v.length > 0 && v.every((x) => isRecord(x) && typeof x.id === 'string') && new Set(v.map((x) => (x as { id: string }).id)).size === v.length;

function flatten(value: unknown, path: string, into: Leaves): Leaves {
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) into.set(path, value);
    for (const key of keys) flatten(value[key], path ? `${path}.${key}` : key, into);
  } else if (Array.isArray(value) && hasIds(value)) {
    for (const item of value) flatten(item, `${path}[${item.id}]`, into);
  } else if (Array.isArray(value) && value.length === 0) {
    // An empty list reads as absent: adding the first benefit is one line per field, not also « benefits: [] → (absent) ».
  } else {
    into.set(path, value);
  }
  return into;
}

export const formatValue = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

export function diffProgrammes(before: unknown, after: unknown): DiffLine[] {
  const a = flatten(before, '', new Map());
  const b = flatten(after, '', new Map());
  const paths = [...b.keys(), ...[...a.keys()].filter((p) => !b.has(p))];
  const lines: DiffLine[] = [];
  for (const path of paths) {
    const old = a.get(path);
    const now = b.get(path);
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    lines.push({ path, before: old, after: now, text: `${path}: ${formatValue(old)} → ${formatValue(now)}` });
  }
  return lines;
}
