# Sourced by boot_default.sh. As vastai/base-image's 36-sync-workspace: what the image ships under
# /opt/workspace-internal lands in $WORKSPACE on first boot, item by item and only where the target is
# missing, so a workspace that survives runs (a mounted folder or volume) keeps the user's edits.
# A lock keeps two containers sharing one workspace from copying the same item at once: flock on the
# workspace directory itself, so no lock file is left in it. Nothing is locked or started when every
# item is already there (a restart, a reused workspace): this stage is on the way to "ready".
shopt -s nullglob dotglob
sync_workspace="${WORKSPACE:-/workspace}"
[[ -d "${sync_workspace}" ]] || mkdir -p "${sync_workspace}"
sync_missing=()
for sync_item in /opt/workspace-internal/*; do
    sync_target="${sync_workspace}/${sync_item##*/}"
    [[ -e "${sync_target}" || -L "${sync_target}" ]] || sync_missing+=("${sync_item}")
done
shopt -u nullglob dotglob
if ((${#sync_missing[@]})); then
    exec {sync_lock}<"${sync_workspace}" && flock -x "${sync_lock}"
    for sync_item in "${sync_missing[@]}"; do
        sync_target="${sync_workspace}/${sync_item##*/}"
        # Looked at again under the lock: another container may have copied it meanwhile.
        if [[ ! -e "${sync_target}" && ! -L "${sync_target}" ]]; then
            cp -a "${sync_item}" "${sync_target}" && echo "sync-workspace: copied ${sync_item##*/} into ${sync_workspace}"
        fi
    done
    [[ -z "${sync_lock:-}" ]] || exec {sync_lock}<&-
fi
# Left there by older Vast launches; they must not run again from a reused workspace.
for sync_stale in "${sync_workspace}/onstart.sh" "${sync_workspace}/ports.log"; do
    if [[ -e "${sync_stale}" || -L "${sync_stale}" ]]; then rm -f "${sync_stale}"; fi
done
unset sync_workspace sync_missing sync_item sync_target sync_stale sync_lock
