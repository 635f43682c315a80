export {
  parsePortalConfig,
  parsePortalConfigOrThrow,
  serialisePortalConfig,
  renderPortalYaml,
  portalYamlFromConfig,
  portalEntryProblem,
  diagnosePortalInversion,
} from './portal-config';
export type { PortalEntry, PortalParseResult } from './portal-config';
