import type { z } from 'zod';
import type { composeCalls } from '../../shared/contract/compose';
import { exportCompose } from '../services/compose';
import type { LocalRunService } from '../services/launch';

type ComposeCalls = typeof composeCalls;
export type ComposeHandlers = {
  [K in keyof ComposeCalls]: (
    args: z.output<ComposeCalls[K]['input']>,
  ) => Promise<z.output<ComposeCalls[K]['output']>>;
};

export interface ComposeHandlerDeps {
  runs: LocalRunService;
}

export function createComposeHandlers(deps: ComposeHandlerDeps): ComposeHandlers {
  return {
    'compose:export': (input) =>
      exportCompose(deps.runs, input.target, {
        out: input.out,
        mode: input.mode,
        template: input.template,
        workspace: input.workspace,
      }),
  };
}
