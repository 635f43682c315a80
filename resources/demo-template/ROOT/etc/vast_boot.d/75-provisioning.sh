# PROVISIONING_SCRIPT: a local path (a URL cannot be fetched offline; curl is tried anyway), cached as
# /provisioning.sh, run once per instance. Success -> /.provisioning_complete, failure ->
# /.provisioning_failed; the boot continues either way.
provisioning_log=/var/log/portal/provisioning.log
if [[ -n "${PROVISIONING_SCRIPT:-}" && ! -f /.provisioning_complete ]]; then
    {
        echo "Provisioning with ${PROVISIONING_SCRIPT}"
        if [[ -f "${PROVISIONING_SCRIPT}" ]]; then
            cp "${PROVISIONING_SCRIPT}" /provisioning.sh
        elif [[ "${PROVISIONING_SCRIPT}" == file://* && -f "${PROVISIONING_SCRIPT#file://}" ]]; then
            cp "${PROVISIONING_SCRIPT#file://}" /provisioning.sh
        else
            curl -fsSL --max-time 20 -o /provisioning.sh "${PROVISIONING_SCRIPT}" || rm -f /provisioning.sh
        fi
        if [[ -f /provisioning.sh ]]; then
            if command -v dos2unix >/dev/null 2>&1; then dos2unix -q /provisioning.sh 2>/dev/null || true; fi
            # cp kept the source's mode: a chmod only when that is not executable (a process less).
            [[ -x /provisioning.sh ]] || chmod 755 /provisioning.sh
            if /provisioning.sh; then
                : > /.provisioning_complete
                [[ -e /.provisioning_failed ]] && rm -f /.provisioning_failed
                echo "Provisioning complete"
            else
                : > /.provisioning_failed
                echo "Provisioning failed"
            fi
        else
            : > /.provisioning_failed
            echo "Provisioning failed: cannot read ${PROVISIONING_SCRIPT}"
        fi
    } 2>&1 | tee -a "${provisioning_log}"
fi
