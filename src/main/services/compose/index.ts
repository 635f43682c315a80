export { exportCompose, writeComposeExport } from './export-compose';
export type { ComposeExportOptions, ComposeExportResult } from './export-compose';
export { renderCompose, composeEscape, COMPOSE_FILE, LAUNCH_DIR } from './compose-document';
export type { ComposeRenderOptions } from './compose-document';
