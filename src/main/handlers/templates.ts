import type { z } from 'zod';
import { templateCalls, templateEvents } from '../../shared/contract/templates';
import { TemplateService } from '../services/templates';

type TemplateCalls = typeof templateCalls;
type TemplateEvents = typeof templateEvents;

/** The handlers of the templates calls (same shape as the dispatcher's handlers once wired). */
export type TemplatesHandlers = {
  [K in keyof TemplateCalls]: (
    args: z.output<TemplateCalls[K]['input']>,
  ) => Promise<z.output<TemplateCalls[K]['output']>>;
};

export type TemplatesEventEmitter = <K extends keyof TemplateEvents>(
  name: K,
  payload: z.output<TemplateEvents[K]['payload']>,
) => void;

export interface TemplatesHandlerDeps {
  /** The app's data dir: the recent-folders list is kept there. */
  dataDir: string;
  /** Forwards `templates:filesChanged` to the shells. */
  emit?: TemplatesEventEmitter;
  /** A service to use instead of a new one (tests, or a composition root that shares it). */
  service?: TemplateService;
}

export function createTemplatesHandlers(deps: TemplatesHandlerDeps): TemplatesHandlers & { dispose(): void } {
  const service =
    deps.service ??
    new TemplateService({
      dataDir: deps.dataDir,
      onFilesChanged: (root, files) => deps.emit?.('templates:filesChanged', { root, files }),
    });
  return {
    'templates:open': async ({ path }) => service.open(path),
    'templates:recent': async () => service.recent(),
    'templates:lint': async ({ path, warnings }) => {
      const { findings, rules } = service.lint(path, warnings);
      return { findings, rules: rules.map((r) => ({ ...r })) };
    },
    'templates:rules': async () => service.rules().map((r) => ({ ...r })),
    'templates:read': async ({ root, template }) => service.read(root, template),
    'templates:readFile': async ({ root, file }) => service.readFile(root, file),
    'templates:save': async (input) =>
      input.kind === 'manifest'
        ? service.saveManifest(input.root, input.template, input.edits)
        : service.saveFile(input.root, input.file, input.text),
    'templates:scaffold': async (input) => service.scaffold(input),
    'templates:portal': async ({ config }) => service.portal(config),
    dispose: () => service.close(),
  };
}
