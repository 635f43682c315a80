import { z } from 'zod';
import { call, NoInput } from './kit';

export const AppInfo = z.object({
  version: z.string(),
  /** Which shell the renderer runs in. */
  shell: z.enum(['electron', 'browser']),
  platform: z.string(),
  /** The demo template folder that ships with the app, when it is there. */
  demoTemplate: z.string().nullable(),
});

export const appCalls = {
  'app:info': call(NoInput, AppInfo, 'The app version and the shell it runs in.'),
} as const;
