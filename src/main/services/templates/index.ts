export { TemplateService } from './template-service';
export type { TemplateServiceOptions, ManifestView } from './template-service';
export { openFolder, listTemplates } from './discovery';
export type { OpenedFolder, DiscoveredImage, TemplateClass, TemplateRef } from './discovery';
export { watchFolder } from './watcher';
export type { FolderWatcher } from './watcher';
export { RecentFolders } from './recent-folders';
export type { RecentFolder } from './recent-folders';
export { scaffoldTemplate } from './scaffold';
export type { ScaffoldClass, ScaffoldOptions, ScaffoldResult } from './scaffold';
export {
  writeCiWorkflow,
  renderCiWorkflow,
  templateImageOf,
  registryOf,
  CI_WORKFLOW_PATH,
} from './ci-workflow';
export type { CiWorkflowOptions, CiWorkflowResult } from './ci-workflow';
export { lintPath, lintOpened } from './lint/run-lint';
export type { LintOptions } from './lint/run-lint';
export type { Finding } from './lint/context';
export { RULES } from './lint/catalogue';
export type { RuleSpec, Severity } from './lint/catalogue';
export { renderLintRulesMarkdown } from './lint/render-docs';
export * from './portal/index';
export * from './manifest/index';
