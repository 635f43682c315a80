/** The monitor: utilisation series, cost and budgets, idle detection and notifications. */
export { MonitorService } from './monitor-service';
export type {
  MonitorServiceOptions,
  MonitorEvents,
  MonitorEvent,
  ProgramState,
  FleetSnapshotData,
  TargetStatusData,
  SampleData,
  SeriesData,
} from './monitor-service';
export { readBootProgress, bootSteps, bootStagesIn, parseBootProbe, BOOT_PROBE_ARGV } from './boot-progress';
export type { BootProgressData } from './boot-progress';
export { NotificationCenter } from './notification-center';
export type { NotificationData, RaiseInput } from './notification-center';
export {
  MonitorSettingsStore,
  MONITOR_SETTINGS_FILE,
  defaultMonitorSettings,
  mergeSettings,
} from './settings-store';
export type { MonitorSettingsData, MonitorSettingsPatchData } from './settings-store';
export { SeriesRing, SeriesStore } from './ring-buffer';
export {
  CostTracker,
  billingRate,
  costBetween,
  localMidnightSec,
  storagePerHour,
  isStoppedForBilling,
} from './cost';
export { instanceFleetState, runFleetState, transitionOf } from './fleet-state';
export { parseNvidiaSmi, NVIDIA_SMI_ARGV, instanceSample, runSample, percentOf } from './metrics';
export { InstanceMetricsSampler } from './instance-metrics';
export type { InstanceMetricsData, InstanceMetricsSamplerOptions, MetricsListener } from './instance-metrics';
export { parseProcSample, procSampleValues, PROC_SAMPLE_SCRIPT } from './proc-metrics';
export type { ProcReading, GpuReading } from './proc-metrics';
