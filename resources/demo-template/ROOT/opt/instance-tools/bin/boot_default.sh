#!/bin/bash
# Default boot: parse flags into shell variables, then source every /etc/vast_boot.d stage in glob
# order. A failing stage never stops the boot (as in vastai/base-image); it is noted instead.
umask 002

for arg in "$@"; do
    case "$arg" in
        --no-user-keys) no_user_keys=true ;;
        --no-export-env) no_export_env=true ;;
        --no-cert-gen) no_cert_gen=true ;;
        --no-update-portal) no_update_portal=true ;;
        --no-update-vast) no_update_vast=true ;;
        --no-activate-pyenv) no_activate_pyenv=true ;;
        --sync-environment) sync_environment=true ;;
        --sync-home) sync_home=true ;;
        --jupyter-override) jupyter_override=true ;;
        --no-force-jupyter) no_force_jupyter=true ;;
        *) echo "boot: ignoring unknown flag $arg" ;;
    esac
done

# Shell built-ins where they do the job (${stage##*/} for basename): every process started here sits
# between the container's start and "ready".
for stage in /etc/vast_boot.d/*.sh; do
    [[ -f "$stage" ]] || continue
    echo "boot: ${stage##*/}"
    # shellcheck disable=SC1090
    . "$stage" || echo "$(date -u +%FT%TZ) ${stage##*/} exited with $?" >> /var/log/vast_boot_failures
done
