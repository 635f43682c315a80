/** The user's tunnels: definitions kept across restarts, declared ports, Open URLs. */
export { TunnelsService } from './tunnels-service';
export type { TunnelView, TunnelsServiceOptions, OpenTunnelSpec } from './tunnels-service';
export { TunnelDefinitionStore, TUNNELS_FILE_NAME } from './tunnel-definitions';
export type { TunnelDefinition, TunnelApp } from './tunnel-definitions';
export { declaredTunnelPorts, tunnelOpenUrl } from './declared-ports';
export type { DeclaredPort } from './declared-ports';
export { createTargetDetailsReader } from './target-details';
export type { TargetDetails, TargetDetailsReader } from './target-details';
