#!/bin/bash
# Image entrypoint, as in vastai/base-image: a custom boot script wins, else the default boot.
# BOOT_SCRIPT may be a URL on Vast; here only a local path can work (there is no network).
if [[ -n "${BOOT_SCRIPT:-}" && ! -f /opt/instance-tools/bin/boot_custom.sh && -f "${BOOT_SCRIPT}" ]]; then
    cp "${BOOT_SCRIPT}" /opt/instance-tools/bin/boot_custom.sh
    chmod 755 /opt/instance-tools/bin/boot_custom.sh
fi
if [[ -x /opt/instance-tools/bin/boot_custom.sh ]]; then
    exec /opt/instance-tools/bin/boot_custom.sh "$@"
fi
exec /opt/instance-tools/bin/boot_default.sh "$@"
