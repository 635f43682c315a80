import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import {
  MonitorSettings,
  NOTIFICATION_KINDS,
  type NotificationKind,
  type MonitorSettingsPatch,
} from '../../../shared/contract/monitor';

export type MonitorSettingsData = z.output<typeof MonitorSettings>;
export type MonitorSettingsPatchData = z.output<typeof MonitorSettingsPatch>;

export const MONITOR_SETTINGS_FILE = 'monitor-settings.json';

export function defaultMonitorSettings(): MonitorSettingsData {
  return {
    intervalSeconds: 10,
    budgets: { perInstanceUsd: null, totalUsd: null, dailyUsd: null },
    idle: { gpuUtilBelow: 5, forMinutes: 30 },
    tunnelDownSeconds: 30,
    notify: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, true])) as MonitorSettingsData['notify'],
  };
}

/** Merges a patch into settings, part by part. */
export function mergeSettings(
  base: MonitorSettingsData,
  patch: MonitorSettingsPatchData,
): MonitorSettingsData {
  return {
    intervalSeconds: patch.intervalSeconds ?? base.intervalSeconds,
    budgets: { ...base.budgets, ...patch.budgets },
    idle: { ...base.idle, ...patch.idle },
    tunnelDownSeconds: patch.tunnelDownSeconds ?? base.tunnelDownSeconds,
    notify: { ...base.notify, ...patch.notify },
  };
}

/**
 * The monitor's settings in `<dataDir>/monitor-settings.json`. A file that is missing, unreadable
 * or from another version falls back to the defaults part by part, so one bad field never loses
 * the rest.
 */
export class MonitorSettingsStore {
  private current: MonitorSettingsData;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, MONITOR_SETTINGS_FILE);
    this.current = this.load();
  }

  get(): MonitorSettingsData {
    return this.current;
  }

  update(patch: MonitorSettingsPatchData): MonitorSettingsData {
    this.current = MonitorSettings.parse(mergeSettings(this.current, patch));
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.current, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
    return this.current;
  }

  private load(): MonitorSettingsData {
    const defaults = defaultMonitorSettings();
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return defaults;
    }
    if (!raw || typeof raw !== 'object') return defaults;
    const r = raw as Record<string, unknown>;
    const pick = <T>(schema: z.ZodType<T>, value: unknown, fallback: T): T => {
      const parsed = schema.safeParse(value);
      return parsed.success ? parsed.data : fallback;
    };
    const shape = MonitorSettings.shape;
    return {
      intervalSeconds: pick(shape.intervalSeconds, r.intervalSeconds, defaults.intervalSeconds),
      budgets: { ...defaults.budgets, ...pick(shape.budgets.partial(), r.budgets, {}) },
      idle: { ...defaults.idle, ...pick(shape.idle.partial(), r.idle, {}) },
      tunnelDownSeconds: pick(shape.tunnelDownSeconds, r.tunnelDownSeconds, defaults.tunnelDownSeconds),
      notify: { ...defaults.notify, ...knownSwitches(r.notify) },
    };
  }
}

/** The stored switches of kinds this version knows; a kind from another version is ignored. */
function knownSwitches(value: unknown): Partial<Record<z.output<typeof NotificationKind>, boolean>> {
  const out: Partial<Record<z.output<typeof NotificationKind>, boolean>> = {};
  if (!value || typeof value !== 'object') return out;
  for (const kind of NOTIFICATION_KINDS) {
    const v = (value as Record<string, unknown>)[kind];
    if (typeof v === 'boolean') out[kind] = v;
  }
  return out;
}
