import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalEvents } from '../../src/shared/contract/terminals';
import { createTerminalHandlers, forwardTerminalEvents } from '../../src/main/handlers/terminals';
import { SshService } from '../../src/main/services/ssh';
import { DockerExecTerminals } from '../../src/main/services/terminal';
import { demuxBuffer } from '../../src/main/services/launch';
import { DEMO_TEMPLATE_DIR, demoHarness, type DemoHarness } from './helpers/demo-image';

let h: DemoHarness;
let ssh: SshService;
let execTerminals: DockerExecTerminals;
let runId: string;
let containerId: string;

beforeAll(async () => {
  h = await demoHarness();
  ssh = new SshService({ dataDir: h.dataDir, env: {} });
  execTerminals = new DockerExecTerminals(h.docker);
  // Args mode starts no sshd (as on Vast): docker exec is the only way in.
  const ready = await h.runs.start({
    source: DEMO_TEMPLATE_DIR,
    mode: 'args',
    args: ['--from-terminal-test'],
    buildTag: h.image,
    readyTimeoutMs: 90_000,
  });
  expect(ready.run.ssh).toBeNull();
  runId = ready.run.id;
  containerId = ready.run.containerId;
});

afterAll(async () => {
  execTerminals?.closeAll();
  await ssh?.dispose();
  await h?.cleanup();
});

/** The app's view of terminals: handlers wired as app.ts wires them, events checked against the contract. */
function contractView() {
  const handlers = createTerminalHandlers({
    ssh,
    dockerExec: {
      terminals: execTerminals,
      resolveRun: async (ref) => {
        const run = await h.runs.get(ref);
        return { id: run.id, containerId: run.containerId, name: run.name, running: run.state === 'running' };
      },
    },
  });
  const texts = new Map<string, string>();
  const exits = new Map<string, { exitCode: number | null; reason: string }>();
  const stop = forwardTerminalEvents(
    ssh,
    (name, payload) => {
      terminalEvents[name].payload.parse(payload);
      if (name === 'terminal:output') {
        const batch = payload as { id: string; data: string; bytes: number };
        texts.set(batch.id, (texts.get(batch.id) ?? '') + batch.data);
        handlers['terminal:ack']({ id: batch.id, bytes: batch.bytes }).catch(() => undefined);
      }
      if (name === 'terminal:exited') {
        const e = payload as { id: string; exitCode: number | null; reason: string };
        exits.set(e.id, e);
      }
    },
    execTerminals,
  );
  return { handlers, text: (id: string) => texts.get(id) ?? '', exit: (id: string) => exits.get(id), stop };
}

describe('a terminal through docker exec in a local run (no sshd)', () => {
  it('echoes, sees a resize with stty size, and reports the exit code', async () => {
    const view = contractView();
    const { handlers } = view;
    const info = await handlers['terminal:open']({
      via: 'docker-exec',
      run: runId,
      rows: 24,
      cols: 80,
      term: 'xterm-256color',
    });
    expect(info).toMatchObject({ via: 'docker-exec', state: 'open', run: { id: runId, containerId } });
    const id = info.id;
    expect((await handlers['terminals:list']({})).map((t) => t.id)).toContain(id);

    await handlers['terminal:write']({ id, data: 'echo "exec says $((6 * 7))"; stty size; echo $TERM\r' });
    await expect
      .poll(() => view.text(id), { timeout: 15_000 })
      .toMatch(/exec says 42\r\n24 80\r\nxterm-256color\r\n/);

    await handlers['terminal:resize']({ id, rows: 40, cols: 132 });
    await handlers['terminal:write']({ id, data: 'stty size\r' });
    await expect.poll(() => view.text(id), { timeout: 15_000 }).toMatch(/\b40 132\r\n/);

    await handlers['terminal:write']({ id, data: 'exit 5\r' });
    await expect
      .poll(() => view.exit(id), { timeout: 15_000 })
      .toMatchObject({ exitCode: 5, reason: 'exited' });
    const replay = await handlers['terminal:replay']({ id });
    expect(replay.state).toBe('exited');
    expect(replay.data).toContain('exec says 42');
    await expect(handlers['terminal:write']({ id, data: 'x' })).rejects.toMatchObject({ code: 'CONFLICT' });
    view.stop();
  });

  it('ends the shell in the container when the user closes the terminal', async () => {
    const view = contractView();
    const { handlers } = view;
    const { id } = await handlers['terminal:open']({
      via: 'docker-exec',
      run: runId,
      rows: 24,
      cols: 80,
      term: 'xterm-256color',
    });
    // A marker process started from this terminal, to see that closing reaches the shell's jobs.
    await handlers['terminal:write']({ id, data: 'sleep 4242 & echo started-$((1 + 1))\r' });
    await expect.poll(() => view.text(id), { timeout: 15_000 }).toMatch(/started-2/);
    const running = async () => {
      const exec = await h.docker.getContainer(containerId).exec({
        Cmd: ['sh', '-c', 'ps -eo args | grep -c "^sleep 4242" || true'],
        AttachStdout: true,
      });
      const stream = await exec.start({});
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      await new Promise((r) => stream.on('end', r));
      return Number(demuxBuffer(Buffer.concat(chunks)).trim());
    };
    expect(await running()).toBe(1);
    await handlers['terminal:close']({ id });
    await expect.poll(() => view.exit(id)?.reason, { timeout: 15_000 }).toBe('closed');
    await expect.poll(running, { timeout: 15_000 }).toBe(0);
    view.stop();
  });

  it('refuses a run that does not exist with NOT_FOUND', async () => {
    const { handlers, stop } = contractView();
    await expect(
      handlers['terminal:open']({
        via: 'docker-exec',
        run: 'f'.repeat(12),
        rows: 24,
        cols: 80,
        term: 'xterm',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    stop();
  });

  it('ends with the container, and refuses a run that is not running', async () => {
    const view = contractView();
    const { handlers } = view;
    const { id } = await handlers['terminal:open']({
      via: 'docker-exec',
      run: runId,
      rows: 24,
      cols: 80,
      term: 'xterm-256color',
    });
    await h.runs.stop(runId);
    await expect.poll(() => view.exit(id)?.reason, { timeout: 30_000 }).toBe('exited');
    await expect(
      handlers['terminal:open']({ via: 'docker-exec', run: runId, rows: 24, cols: 80, term: 'xterm' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not running/) });
    view.stop();
  });
});
