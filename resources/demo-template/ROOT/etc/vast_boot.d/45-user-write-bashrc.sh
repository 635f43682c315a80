# Once: login shells read /etc/environment and warn while provisioning runs.
if ! grep -q '# vast-bashrc' /root/.bashrc 2>/dev/null; then
    cat >> /root/.bashrc <<'BASHRC'
# vast-bashrc
cd "${WORKSPACE:-/workspace}" 2>/dev/null || true
set -a; . /etc/environment; [[ -f "${WORKSPACE:-/workspace}/.env" ]] && . "${WORKSPACE:-/workspace}/.env"; set +a
if [[ -f /.provisioning && $- == *i* ]]; then echo "Provisioning is still running: see /var/log/portal/provisioning.log"; fi
BASHRC
fi
