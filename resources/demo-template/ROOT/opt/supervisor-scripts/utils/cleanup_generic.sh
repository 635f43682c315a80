# On exit, stop every descendant: TERM, wait up to 5 s, then KILL.
descendants() {
    local child
    for child in $(pgrep -P "$1" 2>/dev/null); do
        descendants "$child"
        echo "$child"
    done
}
cleanup_generic() {
    local pids
    pids=$(descendants $$)
    [[ -z "$pids" ]] && return
    kill -TERM $pids 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 $pids 2>/dev/null || return
        sleep 0.1
    done
    kill -KILL $pids 2>/dev/null
}
trap 'cleanup_generic' EXIT
trap 'exit 143' INT TERM
