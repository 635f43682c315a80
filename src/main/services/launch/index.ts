export { LocalRunService } from './local-run-service';
export { demuxBuffer } from './demux-buffer';
export type {
  LocalRunServiceOptions,
  RunStartOptions,
  RunReady,
  RunLimits,
  ProgressReporter,
} from './local-run-service';
export type { RunInfo, RunSsh, RunState } from './run-labels';
export { LABELS as RUN_LABELS, RUN_LABEL } from './run-labels';
export type { RunMode } from './run-mode';
export { RUN_MODES, portsOpenedByMode, runModeOfRuntype } from './run-mode';
export { buildVastEnv, stripJupyterFromPortalConfig } from './vast-env';
export {
  parsePortSpec,
  planPorts,
  portEnv,
  portMap,
  dockerPortConfig,
  IDENTITY_PORT_FLOOR,
} from './port-plan';
export type { PortRequest, PlannedPort } from './port-plan';
export { pickFreePort, isTcpPortFree } from './free-port';
export { resolveSource, readTemplateFile, parseTemplateEnv, normalizeImageRef } from './template-source';
export type { ResolvedSource, TemplateSpec } from './template-source';
export { buildImageFromFolder } from './image-build';
export { findLaunchScriptsDir } from './launch-scripts';
export { trySshLogin, waitForSshHandshake } from './ssh-handshake';
export { runSmoke, formatSmokeReport } from './smoke';
export type { SmokeOptions, SmokeReport, SmokeCheck, SmokeProgram, ProgramRole } from './smoke';
export {
  parseWorkspaceSpec,
  formatWorkspaceSpec,
  workspaceTarget,
  envRecord,
  DEFAULT_WORKSPACE,
  WORKSPACE_ACL_SCRIPT,
} from './workspace';
export type { WorkspaceSpec, RunWorkspace } from './workspace';
export { WorkspaceChoices } from './workspace-choices';
export type { LaunchDescription } from './launch-description';
export { isVastInjected, VAST_INJECTED_ENV } from './launch-description';
