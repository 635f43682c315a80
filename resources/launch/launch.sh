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

# Images detect the launch mode with `[[ -f /.launch ]] && grep -qi jupyter /.launch`.
if [ "$mode" = "jupyter" ]; then
    printf '#!/bin/sh\n# Template Studio local launch: jupyter mode (Jupyter on 8080 and SSH on 22)\n' > /.launch
else
    printf '#!/bin/sh\n# Template Studio local launch: ssh mode (SSH on 22)\n' > /.launch
fi

# Vast's control plane installs the banner before the entrypoint runs.
echo "Welcome to vast.ai. If authentication fails, try again after a few seconds, and double check your ssh key. Have fun!" > /etc/banner

# Keys apply at creation, as on Vast: the app's public key (SSH_PUBLIC_KEY) goes into authorized_keys.
mkdir -p /root/.ssh
chmod 700 /root/.ssh
touch /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
if [ -n "${SSH_PUBLIC_KEY:-}" ] && ! grep -qxF "${SSH_PUBLIC_KEY}" /root/.ssh/authorized_keys; then
    printf '%s\n' "${SSH_PUBLIC_KEY}" >> /root/.ssh/authorized_keys
fi

[ -n "${VAST_CONTAINERLABEL:-}" ] && printf '%s\n' "${VAST_CONTAINERLABEL}" > /root/.vast_containerlabel
[ -n "${CONTAINER_API_KEY:-}" ] && printf '%s\n' "${CONTAINER_API_KEY}" > /root/.vast_api_key && chmod 600 /root/.vast_api_key

# Logins land in tmux (as on Vast), but only interactive ones with a terminal, so `ssh host cmd` and
# scp/sftp are never swallowed; `touch ~/.no_auto_tmux` turns it off.
if ! grep -q '# tstudio-auto-tmux' /root/.bashrc 2>/dev/null; then
    cat >> /root/.bashrc <<'BASHRC'
# tstudio-auto-tmux: as Vast, interactive SSH logins attach to tmux; opt out: touch ~/.no_auto_tmux
if [ -z "${TMUX:-}" ] && [ -n "${SSH_CONNECTION:-}" ] && [ -t 0 ] && [ -t 1 ] && [ ! -f ~/.no_auto_tmux ]; then
    case $- in *i*) command -v tmux >/dev/null 2>&1 && exec tmux new-session -A -s ssh_tmux ;; esac
fi
BASHRC
fi

# sshd: host keys per container (never baked into the image), keys only. ed25519 and ecdsa keys take
# milliseconds to make; an RSA key takes about half a second, most of the time to "ready", so none is
# made (every OpenSSH since 6.5 and PuTTY since 0.68 speak ed25519). One already in the image is served.
sshd_bin="$(command -v sshd || echo /usr/sbin/sshd)"
if [ -x "$sshd_bin" ]; then
    mkdir -p /etc/ssh /run/sshd
    chmod 0755 /run/sshd
    for type in ed25519 ecdsa; do
        [ -f "/etc/ssh/ssh_host_${type}_key" ] || ssh-keygen -q -t "$type" -N '' -f "/etc/ssh/ssh_host_${type}_key" </dev/null
    done
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
        (
            cd "${JUPYTER_DIR:-/}" 2>/dev/null || cd /
            exec jupyter notebook --ip=0.0.0.0 --port=8080 --allow-root --no-browser \
                --NotebookApp.token="${JUPYTER_TOKEN:-}" --NotebookApp.notebook_dir="${JUPYTER_DIR:-/}"
        ) >> /var/log/jupyter.log 2>&1 &
        log "jupyter starting on 8080"
    else
        log "no jupyter in this image: Vast brings its own, a local run cannot"
    fi
fi

# The template's onstart becomes /root/onstart.sh and runs in the background on every start.
if [ ! -f /root/onstart.sh ]; then
    if [ -f "$here/onstart" ]; then
        { echo '#!/bin/bash'; cat "$here/onstart"; } > /root/onstart.sh
    else
        echo '#!/bin/bash' > /root/onstart.sh
    fi
    chmod 755 /root/onstart.sh
fi
echo "[tstudio-launch] onstart run at $(date -u +%FT%TZ)" >> /var/log/onstart.log
if command -v bash >/dev/null 2>&1; then
    bash /root/onstart.sh >> /var/log/onstart.log 2>&1 &
else
    sh /root/onstart.sh >> /var/log/onstart.log 2>&1 &
fi
# Lets the app tell "onstart still booting" from "onstart ended" when it waits for readiness.
echo $! > /.tstudio/onstart.pid

touch /root/hasbooted
log "ready ($mode mode)"

# PID 1 stays alive and reaps orphans; `docker stop` (TERM) ends it at once.
trap 'exit 0' TERM INT
while :; do
    sleep 3600 &
    wait $!
done
