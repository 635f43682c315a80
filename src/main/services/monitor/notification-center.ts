import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Notification, NotificationKind, NotificationTarget } from '../../../shared/contract/monitor';

export type NotificationData = z.output<typeof Notification>;
export type NotificationKindName = z.output<typeof NotificationKind>;
export type NotificationTargetData = z.output<typeof NotificationTarget>;

export interface RaiseInput {
  kind: NotificationKindName;
  /**
   * What makes this event this event: `build:<opId>:failed`, `instance:42:running:3`. A key is
   * raised at most once, so a condition seen again on the next poll stays quiet.
   */
  key: string;
  severity: NotificationData['severity'];
  title: string;
  body: string;
  target: NotificationTargetData;
}

export interface NotificationCenterOptions {
  emit: (n: NotificationData) => void;
  /** The settings' switch for a kind. */
  isEnabled: (kind: NotificationKindName) => boolean;
  now?: () => number;
  /** How many recent notifications `list()` keeps. */
  historySize?: number;
  /** How many keys are remembered; the oldest are forgotten first (they are long past). */
  maxKeys?: number;
}

/** Turns "something happened" into one notification per event, filtered by the user's switches. */
export class NotificationCenter {
  private readonly fired = new Set<string>();
  private readonly history: NotificationData[] = [];
  private readonly now: () => number;
  private readonly historySize: number;
  private readonly maxKeys: number;

  constructor(private readonly options: NotificationCenterOptions) {
    this.now = options.now ?? Date.now;
    this.historySize = options.historySize ?? 100;
    this.maxKeys = options.maxKeys ?? 20_000;
  }

  /** Raises once per key; null when the key was raised before or the kind is switched off. */
  raise(input: RaiseInput): NotificationData | null {
    if (this.fired.has(input.key)) return null;
    this.fired.add(input.key);
    if (this.fired.size > this.maxKeys) {
      const oldest = this.fired.values().next().value;
      if (oldest !== undefined) this.fired.delete(oldest);
    }
    // A kind switched off is still marked fired: switching it on later must not replay old events.
    if (!this.options.isEnabled(input.kind)) return null;
    const n: NotificationData = {
      id: randomUUID(),
      kind: input.kind,
      severity: input.severity,
      title: input.title,
      body: input.body,
      target: input.target,
      at: this.now(),
    };
    this.history.unshift(n);
    if (this.history.length > this.historySize) this.history.length = this.historySize;
    this.options.emit(n);
    return n;
  }

  /** For a condition that can come back (idle, over budget): once it clears, the next crossing counts. */
  rearm(key: string): void {
    this.fired.delete(key);
  }

  hasFired(key: string): boolean {
    return this.fired.has(key);
  }

  list(): NotificationData[] {
    return [...this.history];
  }
}
