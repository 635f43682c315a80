import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { DockerEndpointData, EngineStatusData } from '../../../shared/types';
import { readEngineFacts } from './engine';

export interface EngineMonitorOptions {
  /** How often to check while the engine is reachable (ms). */
  healthyIntervalMs?: number;
  /** How often to check while it is not, so the view recovers by itself soon after it returns (ms). */
  unhealthyIntervalMs?: number;
  onChange: (status: EngineStatusData) => void;
}

/**
 * Watches one engine endpoint and reports when it becomes reachable or unreachable, or its facts
 * change. Views never poll the engine themselves: they get `engine:statusChanged`.
 */
export class EngineMonitor {
  private status: EngineStatusData | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<EngineStatusData> | null = null;
  private stopped = false;

  constructor(
    private readonly docker: Docker,
    readonly endpoint: DockerEndpointData,
    private readonly options: EngineMonitorOptions,
  ) {}

  start(): void {
    this.stopped = false;
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The last known status, checking once if there is none yet. */
  async current(): Promise<EngineStatusData> {
    return this.status ?? this.check();
  }

  /** Checks now (coalescing concurrent requests) and reschedules the next check. */
  check(): Promise<EngineStatusData> {
    if (this.inflight) return this.inflight;
    this.inflight = this.probe().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async probe(): Promise<EngineStatusData> {
    let next: EngineStatusData;
    try {
      const facts = await readEngineFacts(this.docker, this.endpoint);
      next = { reachable: true, endpoint: this.endpoint, facts, checkedAt: Date.now() };
    } catch (err) {
      next = {
        reachable: false,
        endpoint: this.endpoint,
        error: AppError.from(err).toData(),
        checkedAt: Date.now(),
      };
    }
    const changed = !this.status || fingerprint(this.status) !== fingerprint(next);
    this.status = next;
    if (changed) this.options.onChange(next);
    this.schedule();
    return next;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const interval = this.status?.reachable
      ? (this.options.healthyIntervalMs ?? 5000)
      : (this.options.unhealthyIntervalMs ?? 1000);
    this.timer = setTimeout(() => void this.check(), interval);
    this.timer.unref();
  }
}

function fingerprint(status: EngineStatusData): string {
  return status.reachable ? JSON.stringify(status.facts) : `down:${status.error.message}`;
}
