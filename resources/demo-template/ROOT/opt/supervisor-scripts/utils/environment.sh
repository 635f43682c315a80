# Programs see the same environment as SSH sessions: /etc/environment, then the user's overrides.
set -a
[[ -f /etc/environment ]] && . /etc/environment
[[ -f "${WORKSPACE:-/workspace}/.env" ]] && . "${WORKSPACE:-/workspace}/.env"
set +a
