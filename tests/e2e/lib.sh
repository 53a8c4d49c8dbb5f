# Shared by the CLI scripts in tests/e2e (sourced; not a test itself).
# Usage from a script: source "$(dirname "$0")/lib.sh" "$@"
# Arguments: XPORT_BINARY SCRATCH_DIR. The helper program is $XP_E2E_HELPER,
# else xp_e2e_tutorial_helper beside the scratch dir (where
# tests/CMakeLists.txt builds it); it writes the tutorial program, its
# weights and inputs into the scratch dir.
set -u

xport=${1:?usage: $0 XPORT_BINARY SCRATCH_DIR}
dir=${2:?usage: $0 XPORT_BINARY SCRATCH_DIR}
helper=${XP_E2E_HELPER:-$(dirname "$dir")/xp_e2e_tutorial_helper}

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# expect_exit CODE DESCRIPTION CMD...: runs CMD, captures stdout/stderr in
# $out / $err, checks the exit status.
expect_exit() {
    local want=$1 what=$2
    shift 2
    out=$("$@" 2>"$dir/stderr")
    local rc=$?
    err=$(cat "$dir/stderr")
    if [ "$rc" -ne "$want" ]; then
        fail "$what: exit $rc, expected $want (stderr: $err)"
        return 1
    fi
    pass "$what"
}

# contains TEXT NEEDLE DESCRIPTION / lacks TEXT NEEDLE DESCRIPTION
contains() {
    if grep -qF -- "$2" <<<"$1"; then pass "$3"; else fail "$3: missing '$2' in:"$'\n'"$1"; fi
}
lacks() {
    if grep -qF -- "$2" <<<"$1"; then fail "$3: unexpected '$2' in:"$'\n'"$1"; else pass "$3"; fi
}

# A fresh scratch dir holding the tutorial program, weights and inputs.
rm -rf "$dir" && mkdir -p "$dir" || exit 1
[ -x "$helper" ] || { echo "FAIL: helper $helper not built" >&2; exit 1; }
"$helper" make "$dir" || { echo "FAIL: tutorial_helper make" >&2; exit 1; }
