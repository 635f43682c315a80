import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { openDockerExecPty } from './docker-exec-channel';
import { DEFAULT_PTY_OPTIONS, PtySession, type PtyOptions } from './pty-session';
import { TerminalSet, type TerminalBaseInfo } from './terminal-set';

/** The local run a docker exec terminal runs in. */
export interface ExecTerminalRun {
  /** The run's short id, as the user names it. */
  id: string;
  containerId: string;
  name: string;
}

export interface DockerExecTerminalInfo extends TerminalBaseInfo {
  via: 'docker-exec';
  run: ExecTerminalRun;
}

/**
 * Terminals through `docker exec` with a TTY: a shell in a local run that needs no sshd (args mode
 * starts none, as on Vast). Same stream handling as SSH shells; there is no transport to lose but
 * the engine's, so these never reconnect: the shell simply ends with the container.
 */
export class DockerExecTerminals extends TerminalSet<PtySession, DockerExecTerminalInfo> {
  constructor(
    private readonly docker: Docker,
    private readonly defaults: Partial<PtyOptions> = {},
  ) {
    super();
  }

  async open(run: ExecTerminalRun, options: Partial<PtyOptions> = {}): Promise<DockerExecTerminalInfo> {
    const merged = { ...DEFAULT_PTY_OPTIONS, ...this.defaults, ...options };
    const id = randomUUID();
    const channel = await openDockerExecPty(this.docker.getContainer(run.containerId), {
      terminalId: id,
      rows: merged.rows,
      cols: merged.cols,
      term: merged.term,
    });
    const session = new PtySession(merged, id);
    session.attach(channel);
    return this.add(session, {
      id,
      via: 'docker-exec',
      run: { ...run },
      rows: session.rows,
      cols: session.cols,
      openedAt: Date.now(),
      state: session.state,
      exited: null,
    });
  }
}
