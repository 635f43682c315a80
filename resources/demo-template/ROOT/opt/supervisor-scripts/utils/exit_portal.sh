# Usage: . exit_portal.sh "<term>". A program whose term is not in /etc/portal.yaml is skipped: it
# leaves a marker, stays RUNNING for about 6 s (past startsecs) and exits 0, so supervisord shows it
# EXITED and never restarts it. Consumers show it as skipped, not failed.
portal_term="${1:-${PROC_NAME}}"
if [[ "${SERVERLESS:-false}" != "true" ]]; then
    for _ in $(seq 1 240); do
        [[ -s /etc/portal.yaml ]] && break
        sleep 0.5
    done
    if [[ ! -s /etc/portal.yaml ]]; then
        echo "/etc/portal.yaml is missing or empty: cannot decide whether to start ${PROC_NAME}"
        exit 1
    fi
    if ! grep -qiE "^[^#].*${portal_term}" /etc/portal.yaml; then
        mkdir -p /tmp/supervisor-skip
        chmod 1777 /tmp/supervisor-skip
        touch "/tmp/supervisor-skip/${PROC_NAME}"
        echo "Skipping ${PROC_NAME} startup (not in /etc/portal.yaml)"
        sleep 6
        exit 0
    fi
    rm -f "/tmp/supervisor-skip/${PROC_NAME}"
fi
