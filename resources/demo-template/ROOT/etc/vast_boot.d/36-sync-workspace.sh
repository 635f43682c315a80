# Sourced by boot_default.sh. As vastai/base-image's 36-sync-workspace: what the image ships under
# /opt/workspace-internal lands in $WORKSPACE on first boot, item by item and only where the target is
# missing, so a workspace that survives runs (a mounted folder or volume) keeps the user's edits.
# The per-item flock keeps two containers sharing one workspace from copying the same item at once.
(
    shopt -s nullglob dotglob
    workspace="${WORKSPACE:-/workspace}"
    [[ -d "${workspace}" ]] || mkdir -p "${workspace}"
    for item in /opt/workspace-internal/*; do
        name="${item##*/}"
        (
            flock -x 9
            if [[ ! -e "${workspace}/${name}" && ! -L "${workspace}/${name}" ]]; then
                cp -a "${item}" "${workspace}/${name}" && echo "sync-workspace: copied ${name} into ${workspace}"
            fi
        ) 9>"${workspace}/.sync_${name}.lock"
        rm -f "${workspace}/.sync_${name}.lock"
    done
    # Left there by older Vast launches; they must not run again from a reused workspace.
    for stale in "${workspace}/onstart.sh" "${workspace}/ports.log"; do
        if [[ -e "${stale}" || -L "${stale}" ]]; then rm -f "${stale}"; fi
    done
)
