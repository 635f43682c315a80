import { describe, expect, it } from 'vitest';
import { hintOf } from './launch-output';

describe('hintOf (the launch script lines that readiness acts on)', () => {
  it('knows sshd listening and every way provisioning ends', () => {
    expect(hintOf('[tstudio-launch] sshd listening on 22')).toBe('sshd');
    expect(hintOf('[tstudio-launch] provisioning ended (/.provisioning removed)')).toBe('provisioning-ended');
    expect(hintOf('[tstudio-launch] provisioning ended (onstart ended)')).toBe('provisioning-ended');
    expect(hintOf('[tstudio-launch] no jupyter in this image: Vast brings its own, a local run cannot')).toBe(
      'jupyter-missing',
    );
    expect(hintOf('[tstudio-launch] jupyter exited with status 1: ImportError: no notebook')).toBe(
      'jupyter-exited',
    );
  });

  it('ignores the marker appearing, other launch lines, and anyone else saying the same words', () => {
    expect(hintOf('[tstudio-launch] provisioning started (/.provisioning is there)')).toBeNull();
    expect(hintOf('[tstudio-launch] ready (ssh mode)')).toBeNull();
    expect(hintOf('[tstudio-launch] jupyter starting on 8080')).toBeNull();
    expect(hintOf('[tstudio-launch] sshd failed to start')).toBeNull();
    expect(hintOf('webapp: provisioning ended early')).toBeNull();
    expect(hintOf('echo [tstudio-launch] provisioning ended')).toBeNull();
  });
});
