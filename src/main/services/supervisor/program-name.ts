import { AppError } from '../../../shared/errors';

/** Supervisor namespecs (`name` or `group:name`). Checked before they reach argv or a log path. */
const NAMESPEC = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/;

export function assertProgramName(name: string): void {
  if (!NAMESPEC.test(name) || name.length > 200) {
    throw new AppError(
      'VALIDATION',
      `"${name.slice(0, 80)}" is not a supervisor program name (letters, digits, _ . - and one optional group:).`,
    );
  }
}

/** /var/log/portal/<name>.log: the base image's log-tee writes each program's output there. */
export function programLogPath(name: string): string {
  assertProgramName(name);
  const bare = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  return `/var/log/portal/${bare}.log`;
}
