// What survives a reload (DESIGN section 7): the program, profile, MSR edits and breakpoints, in
// local storage under one key, versioned from the first version (STYLE rule 17) with a validator
// and a migration chain (only v1 so far).

/** The saved work, current version. */
export interface SavedWorkV1 {
  readonly v: 1;
  readonly source: string;
  readonly profile: string;
  readonly msrEdits: Readonly<Record<string, string>>;
  readonly breakpoints: readonly number[];
  readonly theme?: 'light' | 'dark' | 'contrast';
  readonly fontSize?: number;
  /** The lesson this work belongs to (optional: absent in older saves, the free lab). */
  readonly lesson?: string;
}

export type SavedWork = SavedWorkV1;

export const STORAGE_KEY = 'vmx-lab:work';
export const CURRENT_VERSION = 1;
const MAX_SOURCE = 1 << 20;

const HEX = /^0x[0-9a-f]{1,16}$/i;

/** Checks an upgraded payload; anything odd yields undefined (the defaults are used). */
export function validate(x: unknown): SavedWork | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (o.v !== 1 || typeof o.source !== 'string' || o.source.length > MAX_SOURCE || typeof o.profile !== 'string') return undefined;
  if (typeof o.msrEdits !== 'object' || o.msrEdits === null || Array.isArray(o.msrEdits)) return undefined;
  const msrEdits: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.msrEdits as Record<string, unknown>)) {
    if (!HEX.test(k) || typeof v !== 'string' || !HEX.test(v)) return undefined;
    msrEdits[k.toLowerCase()] = v.toLowerCase();
  }
  if (!Array.isArray(o.breakpoints) || !o.breakpoints.every((b) => Number.isInteger(b) && b > 0)) return undefined;
  const theme = o.theme === 'dark' || o.theme === 'light' || o.theme === 'contrast' ? o.theme : undefined;
  const fontSize = typeof o.fontSize === 'number' && o.fontSize >= 10 && o.fontSize <= 32 ? o.fontSize : undefined;
  // A built-in lesson's id, or an instructor's lesson's key (`authored:<id>`, decision 0081).
  const lesson = typeof o.lesson === 'string' && /^(authored:)?[a-z0-9][a-z0-9-]{0,63}$/.test(o.lesson) ? o.lesson : undefined;
  return { v: 1, source: o.source, profile: o.profile, msrEdits, breakpoints: [...(o.breakpoints as number[])], theme, fontSize, ...(lesson ? { lesson } : {}) };
}

/** Upgrades a payload of any known version to the current one (v1 -> v1 only, so far). */
export function migrate(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const v = (x as { v?: unknown }).v;
  if (v === 1) return x;
  return undefined;
}

/** Reads the saved work, or undefined when there is none or it is not valid. */
export function loadWork(storage: Pick<Storage, 'getItem'> | undefined): SavedWork | undefined {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    return raw ? validate(migrate(JSON.parse(raw))) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the work (quota errors are ignored: the lab keeps working, unsaved). */
export function saveWork(storage: Pick<Storage, 'setItem'> | undefined, work: Omit<SavedWork, 'v'>): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify({ v: CURRENT_VERSION, ...work }));
  } catch {
    // Storage full or disabled: nothing to do.
  }
}
