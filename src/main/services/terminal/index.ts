export { PtySession, DEFAULT_PTY_OPTIONS, NOTICES } from './pty-session';
export type {
  PtyOptions,
  PtyOutput,
  PtyExit,
  PtyState,
  PtyStats,
  PtyChannel,
  PtyChannelEnd,
  PtySink,
  OpenPtyChannel,
} from './pty-session';
export { ScrollbackRing } from './scrollback-ring';
export { TerminalSet } from './terminal-set';
export type { TerminalBaseInfo } from './terminal-set';
export { DockerExecTerminals } from './docker-exec-terminals';
export type { DockerExecTerminalInfo, ExecTerminalRun } from './docker-exec-terminals';
export { openDockerExecPty } from './docker-exec-channel';
