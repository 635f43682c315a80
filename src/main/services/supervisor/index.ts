export type { ExecTransport, ExecOptions, ExecResult, ExecStreamOptions } from './exec-transport';
export { DockerExecTransport } from './docker-exec-transport';
export {
  parseSupervisorctlStatus,
  SUPERVISOR_STATES,
  isExpectedStatusExitCode,
} from './supervisorctl-status';
export type { SupervisorState, SupervisorProcessLine, SupervisorStatusParse } from './supervisorctl-status';
export { SupervisorClient, parseSnapshot, findPortalTerm } from './supervisor-client';
export type {
  ProgramStatus,
  SupervisorSnapshot,
  ProvisioningState,
  ProgramAction,
} from './supervisor-client';
export { parsePortalYaml } from './portal-apps';
export type { PortalApp } from './portal-apps';
export { parseProcNetTcp } from './proc-net-tcp';
export type { ListeningSocket } from './proc-net-tcp';
export { assertProgramName, programLogPath } from './program-name';
export { SshExecTransport, withEnvAndUser } from './ssh-exec-transport';
export type { SshExecRunner } from './ssh-exec-transport';
export { snapshotChangeKey } from './status-change';
