#!/bin/sh
# Template Studio's stand-in for Vast's /.launch (Vast's own script is not public; this reproduces what
# it is documented or observed to do). It replaces the image's ENTRYPOINT in ssh and jupyter modes.
#
# Usage (as the container's entrypoint): sh /.tstudio/launch/launch.sh ssh|jupyter
# Files next to it: onstart (the template's onstart text; may be absent).
#
# POSIX sh on purpose: it must run in any image, not only in those with bash.
mode="${1:-ssh}"
here="/.tstudio/launch"
log() { echo "[tstudio-launch] $*"; }

# The app's "ready" includes /.provisioning being gone, but an image's boot (run by onstart) makes that
# marker only a moment after it starts: one look cannot tell "not made yet" from "made and gone". This
# watcher tells them apart by looking often, and says "provisioning ended" on the output exactly when
# the app's own check (PROVISIONING_DONE_SCRIPT in local-run-service.ts) would pass: the marker is
# gone and either no boot was started, or the marker was seen, or supervisord (started just after the
# marker is made) runs or has made its socket, or onstart ended. (A fast boot can make and remove the
# marker between two looks; supervisord's process is there at once, its socket only once it has
# loaded, which can take a quarter of a second.) Every conclusion rests on a look at the marker made
# after the evidence. The app follows the output, so it knows at once instead of polling with docker exec.
# It looks every 3 ms, then every 10 ms while a boot gets going, then less often (provisioning can take
# an hour), and stops after an hour (the app then still checks on its own). It runs in bash where the
# image has bash (launch.sh runs itself again, `watch-provisioning` mode): there a pause is a read with
# a timeout on a pipe that never gets data, where sh starts a `sleep` process (about a millisecond of
# CPU, taken from the boot it watches) for each one.
# Usage: watch_provisioning ONSTART_PID BOOT (BOOT 1: onstart will run the image's boot).
provisioning_ended() {
    log "provisioning ended ($1)"
}
# Any supervisord in the container was started during this start (every process descends from PID 1,
# this script), so after /.launch was written. A look at each process's name: built-ins only.
supervisord_running() {
    for comm in /proc/[0-9]*/comm; do
        IFS= read -r name 2>/dev/null < "$comm" || continue
        [ "$name" = supervisord ] && return 0
    done
    return 1
}
nap() {
    sleep "$1" 2>/dev/null || sleep 1
}
watch_provisioning() {
    seen=0
    n=0
    while :; do
        if [ -e /.provisioning ]; then
            if [ "$seen" = 0 ]; then
                seen=1
                : > /.tstudio/provisioning-seen
                log "provisioning started (/.provisioning is there)"
            fi
        elif [ "$seen" = 1 ]; then
            provisioning_ended "/.provisioning removed"
            return
        elif [ "$2" = 0 ]; then
            provisioning_ended "nothing to wait for: no onstart, or no /etc/vast_boot.d in the image"
            return
        elif supervisord_running && [ ! -e /.provisioning ]; then
            # Made and removed between two looks: the boot makes the marker just before supervisord.
            provisioning_ended "supervisord is running, /.provisioning is not there"
            return
        elif [ /var/run/supervisor.sock -nt /.launch ] && [ ! -e /.provisioning ]; then
            # The same, for a supervisord that has already ended again.
            provisioning_ended "supervisord is up, /.provisioning is not there"
            return
        elif ! kill -0 "$1" 2>/dev/null && [ ! -e /.provisioning ]; then
            provisioning_ended "onstart ended"
            return
        fi
        n=$((n + 1))
        if [ "$n" -le 100 ]; then
            nap 0.003
        elif [ "$n" -le 270 ]; then
            nap 0.01
        elif [ "$n" -le 470 ]; then
            nap 0.2
        elif [ "$n" -le 4000 ]; then
            nap 1
        else
            log "provisioning: stopped watching /.provisioning after an hour"
            return
        fi
    done
}

if [ "$mode" = "watch-provisioning" ]; then
    # In bash (out of sh's sight: eval), fd 9 is a pipe this shell also holds for writing, so a read
    # from it never ends before its timeout: a pause without a process.
    if [ -n "${BASH_VERSION:-}" ] && eval 'exec 9<> <(:)' 2>/dev/null; then
        nap() {
            read -r -t "$1" -u 9 _
            return 0
        }
    fi
    watch_provisioning "$2" "$3"
    exit 0
fi

# Images detect the launch mode with `[[ -f /.launch ]] && grep -qi jupyter /.launch`.
if [ "$mode" = "jupyter" ]; then
    printf '#!/bin/sh\n# Template Studio local launch: jupyter mode (Jupyter on 8080 and SSH on 22)\n' > /.launch
else
    printf '#!/bin/sh\n# Template Studio local launch: ssh mode (SSH on 22)\n' > /.launch
fi

# Vast's control plane installs the banner before the entrypoint runs.
echo "Welcome to vast.ai. If authentication fails, try again after a few seconds, and double check your ssh key. Have fun!" > /etc/banner

# Keys apply at creation, as on Vast: the app's public key (SSH_PUBLIC_KEY) goes into authorized_keys.
# Shell built-ins where they do the job: every process started here delays the first login.
# What this script makes is owner-only from the start (mkdir -m, umask); only what the image brought
# is chmod-ed.
if [ -d /root/.ssh ]; then chmod 700 /root/.ssh; else mkdir -m 700 -p /root/.ssh; fi
if [ -f /root/.ssh/authorized_keys ]; then
    chmod 600 /root/.ssh/authorized_keys
else
    (umask 077 && : >> /root/.ssh/authorized_keys)
fi
has_line() { # has_line FILE PATTERN: a line of FILE matches the case PATTERN (no grep: a built-in loop)
    [ -f "$1" ] || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in $2) return 0 ;; esac
    done < "$1"
    return 1
}
has_key() {
    while IFS= read -r line; do [ "$line" = "$1" ] && return 0; done < /root/.ssh/authorized_keys
    return 1
}
if [ -n "${SSH_PUBLIC_KEY:-}" ] && ! has_key "${SSH_PUBLIC_KEY}"; then
    printf '%s\n' "${SSH_PUBLIC_KEY}" >> /root/.ssh/authorized_keys
fi

[ -n "${VAST_CONTAINERLABEL:-}" ] && printf '%s\n' "${VAST_CONTAINERLABEL}" > /root/.vast_containerlabel
if [ -n "${CONTAINER_API_KEY:-}" ]; then
    if [ -e /root/.vast_api_key ]; then
        printf '%s\n' "${CONTAINER_API_KEY}" > /root/.vast_api_key && chmod 600 /root/.vast_api_key
    else
        (umask 077 && printf '%s\n' "${CONTAINER_API_KEY}" > /root/.vast_api_key)
    fi
fi

# Logins land in tmux (as on Vast), but only interactive ones with a terminal, so `ssh host cmd` and
# scp/sftp are never swallowed; `touch ~/.no_auto_tmux` turns it off.
if ! has_line /root/.bashrc '*# tstudio-auto-tmux*'; then
    while IFS= read -r line; do printf '%s\n' "$line"; done >> /root/.bashrc <<'BASHRC'
# tstudio-auto-tmux: as Vast, interactive SSH logins attach to tmux; opt out: touch ~/.no_auto_tmux
if [ -z "${TMUX:-}" ] && [ -n "${SSH_CONNECTION:-}" ] && [ -t 0 ] && [ -t 1 ] && [ ! -f ~/.no_auto_tmux ]; then
    case $- in *i*) command -v tmux >/dev/null 2>&1 && exec tmux new-session -A -s ssh_tmux ;; esac
fi
BASHRC
fi

# The template's onstart becomes /root/onstart.sh, once per container (an edit made inside survives a
# restart).
write_onstart_script() {
    [ -f /root/onstart.sh ] && return 0
    if [ -f "$here/onstart" ]; then
        { echo '#!/bin/bash'; cat "$here/onstart"; } > /root/onstart.sh
    else
        echo '#!/bin/bash' > /root/onstart.sh
    fi
    chmod 755 /root/onstart.sh
}

# The template's onstart becomes /root/onstart.sh (written once per container) and runs in the background on
# every start. It starts before the host keys and sshd: the image's boot (provisioning included, which
# "ready" waits for) is the longer path, and neither needs the other.
write_onstart_script
[ ! -e /.tstudio/provisioning-seen ] || rm -f /.tstudio/provisioning-seen
if command -v bash >/dev/null 2>&1; then
    # The log line's time from bash's own printf, in the process that becomes onstart: no `date`
    # process before the boot starts.
    # shellcheck disable=SC2016
    bash -c 'TZ=UTC0 printf "[tstudio-launch] onstart run at %(%Y-%m-%dT%H:%M:%SZ)T\n" -1; exec bash /root/onstart.sh' \
        >> /var/log/onstart.log 2>&1 &
else
    echo "[tstudio-launch] onstart run at $(date -u +%FT%TZ)" >> /var/log/onstart.log
    sh /root/onstart.sh >> /var/log/onstart.log 2>&1 &
fi
onstart_pid=$!
# Lets the app tell "onstart still booting" from "onstart ended" when it waits for readiness.
echo "$onstart_pid" > /.tstudio/onstart.pid

boot=0
if [ -d /etc/vast_boot.d ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in *[![:space:]]*) boot=1 ;; esac
    done < "$here/onstart"
fi
if command -v bash >/dev/null 2>&1; then
    bash "$here/launch.sh" watch-provisioning "$onstart_pid" "$boot" &
else
    watch_provisioning "$onstart_pid" "$boot" &
fi

# sshd: host keys per container (never baked into the image), keys only. ed25519 and ecdsa keys take
# milliseconds to make (both at once here); an RSA key takes about half a second, most of the time to
# "ready", so none is made (every OpenSSH since 6.5 and PuTTY since 0.68 speak ed25519). One already
# in the image is served.
sshd_bin=""
for candidate in /usr/sbin/sshd /usr/bin/sshd /sbin/sshd /usr/local/sbin/sshd; do
    [ -x "$candidate" ] && sshd_bin="$candidate" && break
done
[ -n "$sshd_bin" ] || sshd_bin="$(command -v sshd || echo /usr/sbin/sshd)"
if [ -x "$sshd_bin" ]; then
    [ -d /etc/ssh ] || mkdir -p /etc/ssh
    # sshd refuses a privilege separation directory that others can write to.
    if [ -d /run/sshd ]; then chmod 0755 /run/sshd; else mkdir -m 0755 -p /run/sshd; fi
    set --
    for type in ed25519 ecdsa; do
        if [ ! -f "/etc/ssh/ssh_host_${type}_key" ]; then
            ssh-keygen -q -t "$type" -N '' -f "/etc/ssh/ssh_host_${type}_key" </dev/null &
            set -- "$@" $!
        fi
    done
    [ $# -gt 0 ] && wait "$@"
    set --
    for key in /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ecdsa_key /etc/ssh/ssh_host_rsa_key; do
        [ -f "$key" ] && set -- "$@" -o "HostKey=$key"
    done
    "$sshd_bin" -p 22 "$@" \
        -o PasswordAuthentication=no \
        -o KbdInteractiveAuthentication=no \
        -o PermitRootLogin=prohibit-password \
        -o Banner=/etc/banner \
        && log "sshd listening on 22" || log "sshd failed to start"
else
    log "no sshd in this image: Vast installs one at run time, a local run cannot"
fi

if [ "$mode" = "jupyter" ]; then
    if command -v jupyter >/dev/null 2>&1; then
        # Vast serves Jupyter over TLS with its own CA; locally it is plain HTTP on 8080 with the same token.
        # The token and folder are given to both generations of Jupyter: notebook 6 reads NotebookApp,
        # jupyter_server (notebook 7, lab) reads ServerApp and IdentityProvider; each ignores the other's.
        (
            cd "${JUPYTER_DIR:-/}" 2>/dev/null || cd /
            jupyter notebook --ip=0.0.0.0 --port=8080 --allow-root --no-browser \
                --NotebookApp.token="${JUPYTER_TOKEN:-}" --NotebookApp.notebook_dir="${JUPYTER_DIR:-/}" \
                --ServerApp.token="${JUPYTER_TOKEN:-}" --IdentityProvider.token="${JUPYTER_TOKEN:-}" \
                --ServerApp.root_dir="${JUPYTER_DIR:-/}" >> /var/log/jupyter.log 2>&1
            status=$?
            # Said on the output so that a run waiting for port 8080 fails at once, with the reason.
            last=""
            while IFS= read -r line; do [ -z "$line" ] || last=$line; done < /var/log/jupyter.log
            log "jupyter exited with status $status: $last"
        ) &
        log "jupyter starting on 8080"
    else
        log "no jupyter in this image: Vast brings its own, a local run cannot"
    fi
fi

: > /root/hasbooted
log "ready ($mode mode)"

# PID 1 stays alive and reaps orphans; `docker stop` (TERM) ends it at once.
trap 'exit 0' TERM INT
while :; do
    sleep 3600 &
    wait $!
done
