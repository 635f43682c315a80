#!/usr/bin/env bash
# Builds the offline base image the tests and the demo template use, from Debian's packages only:
# no registry can be reached here, so `FROM debian` is impossible and debootstrap stands in for it.
# Idempotent: does nothing when the image already exists (pass --force to rebuild).
set -euo pipefail

IMAGE="${TSTUDIO_BASE_IMAGE:-tstudio/base:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
force="${1:-}"

if [ "$force" != "--force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE already present"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }

root="$(mktemp -d /var/tmp/tstudio-rootfs.XXXXXX)"
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

# What a Vast-like image needs at run time; nothing may be downloaded inside a container later.
include=supervisor,openssh-server,openssh-client,python3,python3-yaml,tmux,cron,procps,iproute2,expect,jq,dos2unix,sudo,acl,netcat-openbsd,ca-certificates,less,curl,bash-completion

echo "debootstrap bookworm into $root"
debootstrap --variant=minbase --include="$include" bookworm "$root" "$MIRROR"

# A long --include list can fail while configuring jupyter's dependencies, so it goes in afterwards.
mount -t proc proc "$root/proc"
chroot "$root" /bin/sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends jupyter-notebook' \
  || echo "warning: jupyter-notebook could not be installed; jupyter mode will not have a server" >&2
chroot "$root" /bin/sh -c 'apt-get clean; rm -rf /var/lib/apt/lists/*'
umount "$root/proc"

# sshd's host keys are generated per container at launch, never baked into the image.
rm -f "$root"/etc/ssh/ssh_host_*

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$IMAGE"
echo "built $IMAGE"
