# Once: login shells read /etc/environment and warn while provisioning runs.
has_vast_bashrc() {
    local line
    while IFS= read -r line; do [[ "${line}" == *'# vast-bashrc'* ]] && return 0; done
    return 1
}
if ! has_vast_bashrc 2>/dev/null < /root/.bashrc; then
    # A read loop, not cat: no process on the boot's way to "ready".
    while IFS= read -r line; do printf '%s\n' "${line}"; done >> /root/.bashrc <<'BASHRC'
# vast-bashrc
cd "${WORKSPACE:-/workspace}" 2>/dev/null || true
set -a; . /etc/environment; [[ -f "${WORKSPACE:-/workspace}/.env" ]] && . "${WORKSPACE:-/workspace}/.env"; set +a
if [[ -f /.provisioning && $- == *i* ]]; then echo "Provisioning is still running: see /var/log/portal/provisioning.log"; fi
BASHRC
fi
