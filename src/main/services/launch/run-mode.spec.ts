import { describe, expect, it } from 'vitest';
import { runModeOfRuntype } from './run-mode';

describe("runModeOfRuntype (the local mode of a template's runtype)", () => {
  it("reads Vast's runtype strings, the CLI's combinations included", () => {
    expect(runModeOfRuntype('ssh')).toBe('ssh');
    expect(runModeOfRuntype('ssh_direc ssh_proxy')).toBe('ssh');
    expect(runModeOfRuntype('jupyter')).toBe('jupyter');
    expect(runModeOfRuntype('jupyter_direc ssh_direc ssh_proxy')).toBe('jupyter');
    expect(runModeOfRuntype('args')).toBe('args');
    expect(runModeOfRuntype(' SSH ')).toBe('ssh');
  });
  it('gives null when the template says nothing it knows', () => {
    expect(runModeOfRuntype(null)).toBeNull();
    expect(runModeOfRuntype(undefined)).toBeNull();
    expect(runModeOfRuntype('')).toBeNull();
    expect(runModeOfRuntype('telnet')).toBeNull();
  });
});
