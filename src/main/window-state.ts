import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const WindowState = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(20000),
  height: z.number().int().min(300).max(20000),
  maximized: z.boolean().default(false),
});
export type WindowStateData = z.infer<typeof WindowState>;

const DEFAULT: WindowStateData = { width: 1280, height: 820, maximized: false };

/** The window's size and position, remembered across restarts in the data folder. */
export function loadWindowState(dataDir: string): WindowStateData {
  try {
    return WindowState.parse(JSON.parse(readFileSync(join(dataDir, 'window-state.json'), 'utf8')));
  } catch {
    return DEFAULT;
  }
}

export function saveWindowState(dataDir: string, state: WindowStateData): void {
  const file = join(dataDir, 'window-state.json');
  // Write then rename, so a crash mid-write never leaves a broken file behind.
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}
