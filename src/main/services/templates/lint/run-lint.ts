/** Lint an opened folder: every image, every rule, findings sorted by file and position. */
import { openFolder, type OpenedFolder } from '../discovery';
import { ImageContext, type Finding } from './context';
import {
  checkBakedWeights,
  checkBarePip,
  checkCopyRoot,
  checkEntrypointReplaced,
  checkEnvHashLast,
  checkFromClass,
  checkLabels,
  checkPinnedBase,
  checkTclLibPath,
  checkTorchBackendAuto,
  checkTorchGuard,
} from './dockerfile-rules';
import {
  checkScriptsExecutable,
  checkSupervisorConfs,
  checkUnguardedPortVars,
  checkUtilOrder,
  checkWaitsForProvisioning,
} from './overlay-rules';
import {
  checkFilters,
  checkManifestModel,
  checkPlaceholders,
  checkPortsAndPortal,
  checkReadmeLaunchLink,
} from './template-rules';

const CHECKS: Array<(ctx: ImageContext) => void> = [
  checkLabels,
  checkEnvHashLast,
  checkCopyRoot,
  checkFromClass,
  checkPinnedBase,
  checkTorchGuard,
  checkTorchBackendAuto,
  checkBarePip,
  checkBakedWeights,
  checkTclLibPath,
  checkEntrypointReplaced,
  checkSupervisorConfs,
  checkUtilOrder,
  checkScriptsExecutable,
  checkWaitsForProvisioning,
  checkUnguardedPortVars,
  checkPlaceholders,
  checkReadmeLaunchLink,
  checkManifestModel,
  checkFilters,
  checkPortsAndPortal,
];

export interface LintOptions {
  /** Include warnings (Vast's `--warn`). Default true. */
  warnings?: boolean;
}

export function lintOpened(opened: OpenedFolder, options: LintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  for (const image of opened.images) {
    const ctx = new ImageContext(opened.root, image);
    // Scripts-only and template-only folders have no Dockerfile: the Dockerfile rules return early.
    for (const check of CHECKS) check(ctx);
    findings.push(...ctx.findings);
  }
  const kept = options.warnings === false ? findings.filter((f) => f.severity === 'error') : findings;
  const seen = new Set<string>();
  return kept
    .filter((f) => {
      const key = `${f.code}|${f.file}|${f.line}|${f.column}|${f.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(
      (a, b) =>
        a.file.localeCompare(b.file) ||
        a.line - b.line ||
        a.column - b.column ||
        a.code.localeCompare(b.code),
    );
}

/** Open a folder and lint it. */
export function lintPath(path: string, options: LintOptions = {}): Finding[] {
  return lintOpened(openFolder(path), options);
}
