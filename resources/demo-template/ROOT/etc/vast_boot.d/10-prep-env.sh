# Sourced by boot_default.sh. Workspace, PORTAL_CONFIG edits per launch mode, and /etc/environment:
# Vast passes -e variables to onstart only, so SSH, tmux and Jupyter sessions see them only through
# what the image exports here.
[[ -d "${WORKSPACE:=/workspace}" ]] || mkdir -p "${WORKSPACE}"
cd "${WORKSPACE}" || true

# Jupyter launch mode: Vast's own Jupyter owns 8080, so the portal points at it instead of 18080.
# (`grep -qi jupyter /.launch` as a read loop: no process on the way to "ready".)
launch_says_jupyter() {
    local line
    while IFS= read -r line || [[ -n "${line}" ]]; do
        [[ "${line,,}" == *jupyter* ]] && return 0
    done < /.launch
    return 1
}
if [[ -f /.launch ]] && launch_says_jupyter; then
    export PORTAL_CONFIG="${PORTAL_CONFIG//localhost:8080:18080/localhost:8080:8080}"
fi

export HF_HOME="${HF_HOME:-${WORKSPACE}/.hf_home}"

instance_id="${CONTAINER_ID:-${VAST_CONTAINERLABEL#C.}}"
instance_id="${instance_id:-${CONTAINER_LABEL#C.}}"
env_header="# Template controlled environment for C.${instance_id}"

# Written once per instance: a restart of the same instance keeps the file (and any edits to it).
first_line=""
[[ -f /etc/environment ]] && IFS= read -r first_line < /etc/environment
if [[ "${no_export_env:-}" != "true" ]] && [[ "${first_line}" != "${env_header}" ]]; then
    {
        echo "${env_header}"
        echo 'PATH="/opt/instance-tools/bin:/opt/sys-venv/shim:/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
        # No escaping, as the original: a value with a quote or newline is written as is.
        while IFS= read -r -d '' entry; do
            name="${entry%%=*}"
            value="${entry#*=}"
            case "$name" in HOME | SHLVL) continue ;; esac
            line="${name}=\"${value}\""
            [[ "$line" == *CONDA* ]] && continue
            printf '%s\n' "$line"
        done < <(env -0)
    } > /etc/environment.new && mv /etc/environment.new /etc/environment
fi

set -a
. /etc/environment
[[ -f "${WORKSPACE}/.env" ]] && . "${WORKSPACE}/.env"
set +a
