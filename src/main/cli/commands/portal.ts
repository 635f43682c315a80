// tstudio portal 'CONFIG'
// Prints the /etc/portal.yaml the base image's caddy manager would write for this PORTAL_CONFIG,
// or the reason it would refuse it (exit 1).
import type { CliIo } from '../io';
import { parsePortalConfig, renderPortalYaml } from '../../services/templates';

export interface PortalCommandOptions {
  config: string;
}

export async function runPortal(argv: PortalCommandOptions, io: CliIo): Promise<number> {
  const parsed = parsePortalConfig(argv.config);
  if (!parsed.ok) {
    io.stderr(`Error: ${parsed.error}\n`);
    return 1;
  }
  io.stdout(renderPortalYaml(parsed.entries));
  return 0;
}
