import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunsHandlers, type RunStateChanged } from '../../src/main/handlers/runs';
import { OperationManager } from '../../src/main/services/operations';
import { LocalRunService } from '../../src/main/services/launch';
import { runsCalls, Run, RunReady, SupervisorSnapshot } from '../../src/shared/contract/runs';
import type { OperationEventData } from '../../src/shared/types';
import { DEMO_TEMPLATE_DIR, demoHarness, waitFor, type DemoHarness } from './helpers/demo-image';

describe('runs handlers over the contract (demo template, ssh mode)', () => {
  let h: DemoHarness;
  const events: OperationEventData[] = [];
  const changes: RunStateChanged[] = [];
  let operations: OperationManager;
  let handlers: ReturnType<typeof createRunsHandlers>;
  let runId: string;

  beforeAll(async () => {
    h = await demoHarness();
    operations = new OperationManager({ event: (e) => events.push(e), stateChanged: () => undefined });
    // As the composition root builds it: the app key comes later, from the ssh service's key store.
    const runs = new LocalRunService(h.docker, {
      dataDir: h.dataDir,
      labels: h.labels,
      appKey: async () => ({ publicKey: h.key.publicKey, privateKeyPath: h.key.identityFile }),
    });
    handlers = createRunsHandlers({
      runs,
      docker: h.docker,
      operations,
      emitRunChanged: (c) => changes.push(c),
    });
  });
  afterAll(async () => {
    await operations?.dispose();
    await h?.cleanup();
  });

  it('runs:start is an operation whose result is a valid RunReady, with steps in order', async () => {
    const input = runsCalls['runs:start'].input.parse({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      build: 'never',
      readyTimeoutSeconds: 90,
    });
    // The harness built the demo under a test tag (the contract has no build tag), so run that image.
    const { opId } = await handlers['runs:start']({ ...input, source: h.image });
    const summary = await operations.settled(opId);
    expect(summary.error).toBeNull();
    expect(summary.state).toBe('succeeded');
    const ready = RunReady.parse(summary.result);
    runId = ready.run.id;
    const steps = events
      .filter((e) => e.opId === opId && e.type === 'step')
      .map((e) => (e.data as { step: string }).step);
    expect(steps).toEqual(['resolve', 'check', 'create', 'start', 'wait', 'ssh']);
    expect(events.some((e) => e.opId === opId && e.type === 'ready')).toBe(true);
    expect(changes.at(-1)?.run?.id).toBe(runId);
  });

  it('runs:list and runs:status answer in the contract shape', async () => {
    const list = await handlers['runs:list']({});
    expect(runsCalls['runs:list'].output.parse(list).some((r) => r.id === runId)).toBe(true);
    Run.parse(await handlers['runs:get']({ id: runId }));
    SupervisorSnapshot.parse(await handlers['runs:status']({ id: runId }));
  });

  it('runs:watchStatus emits a status event and stops on cancel', async () => {
    const { opId } = await handlers['runs:watchStatus']({ id: runId, intervalMs: 250 });
    const first = await waitFor(
      'a status event',
      async () => events.find((e) => e.opId === opId && e.type === 'status'),
      15_000,
      50,
    );
    expect(SupervisorSnapshot.parse(first.data).supervisord).toMatch(/running|unreachable|absent/);
    operations.cancel(opId);
    expect((await operations.settled(opId)).state).toBe('cancelled');
  });

  it('runs:remove emits a removal', async () => {
    await handlers['runs:remove']({ id: runId });
    expect(changes.at(-1)).toEqual({ id: runId, run: null });
    await expect(handlers['runs:get']({ id: runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
