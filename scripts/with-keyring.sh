#!/usr/bin/env bash
# Runs a command inside a D-Bus session with an unlocked GNOME Keyring, so the OS-keychain tests talk
# to a real Secret Service. Without those tools the command runs as is, and the keychain test checks
# that the app refuses to store secrets instead.
set -euo pipefail
if [ "${TSTUDIO_IN_KEYRING:-}" != "1" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  export TSTUDIO_IN_KEYRING=1
  exec dbus-run-session -- bash -c 'echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' _ "$@"
fi
exec "$@"
