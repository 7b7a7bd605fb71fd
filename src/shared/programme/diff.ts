import { documentText } from './document';

/**
 * A readable diff between two programme versions: one line per changed leaf,
 * « path: old → new », in the order of the newer document. Lists of things
 * with an `id` (rewards, promotions, benefits, tiers…) are matched by id, so
 * moving a reward in the list is no change and a changed price reads
 * `rewards[cafe-offert].points: 150 → 120`; one added or removed is one
 * line with the whole of it. Lists of plain values (weekdays, categories) are
 * compared whole.
 */
export interface DiffLine {
  path: string;
  /** undefined: absent on that side. */
  before: unknown;
  after: unknown;
  text: string;
}

type Leaves = Map<string, unknown>;
/** Items of id-keyed lists by path (`rewards[cafe-offert]`): one added or removed whole is one line. */
type Items = Map<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasIds = (v: unknown[]): v is Array<Record<string, unknown> & { id: string }> =>
  v.length > 0 && v.every((x) => isRecord(x) && typeof x.id === 'string') && new Set(v.map((x) => (x as { id: string }).id)).size === v.length;

function flatten(value: unknown, path: string, into: Leaves, items: Items): Leaves {
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) into.set(path, value);
    for (const key of keys) flatten(value[key], path ? `${path}.${key}` : key, into, items);
  } else if (Array.isArray(value) && hasIds(value)) {
    for (const item of value) {
      items.set(`${path}[${item.id}]`, item);
      flatten(item, `${path}[${item.id}]`, into, items);
    }
  } else if (Array.isArray(value) && value.length === 0) {
    // An empty list reads as absent: adding the first benefit is one line per field, not also « benefits: [] → (absent) ».
  } else {
    into.set(path, value);
  }
  return into;
}

/** Objects with their keys sorted: HQ's stored copy (jsonb) does not keep the order they were typed in. */
export const formatValue = (v: unknown): string => (v === undefined ? '(absent)' : documentText(v));

export function diffProgrammes(before: unknown, after: unknown): DiffLine[] {
  const itemsA: Items = new Map();
  const itemsB: Items = new Map();
  const a = flatten(before, '', new Map(), itemsA);
  const b = flatten(after, '', new Map(), itemsB);
  // An item only one side has is one line, its whole self, instead of a line per field.
  const whole = [...itemsA.keys(), ...itemsB.keys()].filter((p) => itemsA.has(p) !== itemsB.has(p));
  const within = (path: string) => whole.find((w) => path === w || path.startsWith(`${w}.`) || path.startsWith(`${w}[`));
  const paths = [...b.keys(), ...[...a.keys()].filter((p) => !b.has(p))];
  const lines: DiffLine[] = [];
  const done = new Set<string>();
  for (const leaf of paths) {
    const item = within(leaf);
    if (item !== undefined && done.has(item)) continue;
    if (item !== undefined) done.add(item);
    const path = item ?? leaf;
    const old = item === undefined ? a.get(path) : itemsA.get(path);
    const now = item === undefined ? b.get(path) : itemsB.get(path);
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    lines.push({ path, before: old, after: now, text: `${path}: ${formatValue(old)} → ${formatValue(now)}` });
  }
  return lines;
}
