import type { SshTargetResolver } from '../handlers/ssh';
import { AppError } from '../../shared/errors';

/**
 * How the CLI turns a run id or a Vast instance id into an SSH target. Filled in as the run and
 * Vast services are wired; `user@host:port` never needs it.
 */
export function cliTargetResolver(): SshTargetResolver {
  return async (ref) => {
    throw new AppError(
      'NOT_FOUND',
      `"${ref}" is neither user@host:port nor a run or instance this app knows.`,
    );
  };
}
