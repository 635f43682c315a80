import type { z } from 'zod';
import type { monitorCalls } from '../../shared/contract/monitor';
import type { MonitorService } from '../services/monitor/index';

export interface MonitorHandlerDeps {
  /** `new MonitorService({ connection, dataDir, docker, emit })`, started by the composition root. */
  monitor: MonitorService;
}

type Calls = typeof monitorCalls;
export type MonitorHandlers = {
  [K in keyof Calls]: (args: z.output<Calls[K]['input']>) => Promise<z.output<Calls[K]['output']>>;
};

const SAMPLE_TITLES = {
  'build-finished': 'Build finished (a test notification)',
  'build-failed': 'Build failed (a test notification)',
} as const;

export function createMonitorHandlers({ monitor }: MonitorHandlerDeps): MonitorHandlers {
  return {
    'monitor:fleet': async () => monitor.fleet(),
    'monitor:samples': async (input) => monitor.samples(input),
    'monitor:pollNow': () => monitor.pollNow(),
    'monitor:settings': async () => monitor.settings(),
    'monitor:setSettings': async (patch) => monitor.setSettings(patch),
    'monitor:bootProgress': ({ target }) => monitor.bootProgress(target),
    'notifications:list': async () => monitor.notifications.list(),
    'notifications:test': async ({ kind }) => {
      monitor.notifications.raise({
        kind,
        key: `test:${kind}:${Date.now()}:${Math.random()}`,
        severity: 'info',
        title: kind in SAMPLE_TITLES ? SAMPLE_TITLES[kind as keyof typeof SAMPLE_TITLES] : `A test: ${kind}`,
        body: 'This is how notifications of this kind will look.',
        target: { view: 'monitor' },
      });
      return { ok: true as const };
    },
  };
}
