/** The Vast service: REST client, instance ledger, template publishing, and the local sandbox. */
export { VastClient } from './vast-client';
export type { VastClientOptions, LaunchSpec, WaitOptions, VastTemplateBody } from './vast-client';
export { VastHttp, DEFAULT_VAST_URL, resolveBaseUrl } from './vast-http';
export { buildApiUrl, encodeQuery, pythonJsonDumps, quotePlus } from './python-encoding';
export { buildOfferQuery, parseQueryString, parseOrder, DEFAULT_OFFER_FILTERS } from './offer-query';
export type { OfferQuery } from './offer-query';
export { runtypeForMode, parseRuntype, modeFromTemplate } from './runtype';
export type { LaunchModeName, ParsedRuntype } from './runtype';
export { launchEnvObject, parseEnvFlagString, normalizePortSpec } from './env-flags';
export { sshEndpoint } from './ssh-endpoint';
export type { SshEndpointData } from './ssh-endpoint';
export { fatalReason, FATAL_STATUS_FRAGMENTS, extraEnvObject } from './instance-status';
export { InstanceLedger, LEDGER_FILE_NAME } from './instance-ledger';
export type { LedgerEntry } from './instance-ledger';
export { toInstanceSummary, toOfferRow, toTemplateRow } from './summaries';
export type { VastInstanceData, VastOfferData, VastTemplateData, VastUserData, VastSshKey } from './schemas';
export { VastSandbox } from './sandbox/sandbox-server';
export type { SandboxOptions } from './sandbox/sandbox-server';
export { NO_FAULTS } from './sandbox/faults';
export type { SandboxFaults } from './sandbox/faults';
export type { InstanceBackend, InstanceContainerSpec, BackendPorts } from './sandbox/instance-backend';
export { NoContainerBackend } from './sandbox/no-container-backend';
export type { SandboxTimings } from './sandbox/instance-store';
export { loadTemplateSource, resolveTemplateFile, imageRef, fillReadme } from './template-source';
export type { TemplateSource } from './template-source';
export { launchSpecFromTemplate, appLabel, APP_LABEL_PREFIX } from './template-launch';
export { TemplatePublisher, templateBody, TEMPLATE_MAP_FILE } from './template-publisher';
export { VastAccountResolver, findImportableVastKey } from './account-resolver';
export type { VastConnection, ImportableKey } from './account-resolver';
export {
  ContainerBackend,
  SANDBOX_CONTAINER_LABELS,
  buildableFromTemplates,
} from './sandbox/container-backend';
export type { ContainerBackendOptions } from './sandbox/container-backend';
