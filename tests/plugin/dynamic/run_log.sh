# XPORT_LOG=dynamic at compile time: one greppable line per symbol created
# (with the dim pragma that declares it), input dim bound to a symbol or
# derived expression, relation the ranges decided (with the source line
# that needed it) and suggested fix, each "xport-dynamic: FUNCTION: ...".
#
# usage: run_log.sh WORKDIR   (environment as in ../lib.sh)
source "$(dirname "$0")/../lib.sh"
need_capture
dyn="$here/dynamic"
mkdir -p out
cp "$dyn/examples.c" "$dyn/example3.c" "$dyn/examples.h" .
cc=("$XP_CLANG" -fsyntax-only -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -fplugin-arg-xport-out=out)

# Silent unless asked.
"${cc[@]}" examples.c 2>log || { cat log >&2; fail "examples.c did not compile"; }
[ ! -s log ] || { cat log >&2; fail "the plugin printed something without XPORT_LOG"; }
XPORT_LOG=kernels "${cc[@]}" examples.c 2>log || fail "examples.c did not compile"
[ ! -s log ] || { cat log >&2; fail "XPORT_LOG without 'dynamic' printed dynamic-shape lines"; }

XPORT_LOG=dynamic "${cc[@]}" examples.c 2>log || { cat log >&2; fail "examples.c did not compile"; }
expect_text log "xport-dynamic: dynamic_shapes_example1: symbol inp1_dim0 in [0, inf] at examples.c:11:19"
expect_text log "xport-dynamic: dynamic_shapes_example1: symbol inp1_dim1 in [4, 18] at examples.c:12:19"
expect_text log "xport-dynamic: dynamic_shapes_example1: input x dim 1 is inp1_dim1"
expect_text log "xport-dynamic: dynamic_shapes_example2: input y dim 0 is inner_dim"
expect_text log "xport-dynamic: derived_dim_example1: symbol dimx in [3, 6] at examples.c:31:19"
expect_text log "xport-dynamic: derived_dim_example1: input y dim 0 is dimx + 1"
expect_text log "xport-dynamic: derived_dim_example2: input y dim 0 is 3*dx + 1"
grep -q "input x dim 2" log && fail "a static dim was logged as dynamic"

# The fixpoint: each fix as it is found, then the final capture's lines.
XPORT_LOG=all "${cc[@]}" example3.c 2>log && fail "example3.c compiled without its fixes"
expect_text log "xport-dynamic: dynamic_shapes_example3: fix example3.c:17:23: max=16 on inp4_dim0 for 'inp4_dim0 <= 16'"
expect_text log "xport-dynamic: dynamic_shapes_example3: fix example3.c:18:29: min=16 on inp5_dim1 for '16 <= inp5_dim1'"
expect_text log "xport-dynamic: dynamic_shapes_example3: fix example3.c:18:16: inp5_dim0 -> inp4_dim1 for 'inp4_dim1 == inp5_dim0'"
expect_text log "xport-dynamic: dynamic_shapes_example3: restart 3: capturing again with the fixes applied"
expect_text log "xport-dynamic: dynamic_shapes_example3: symbol inp4_dim0 in [0, 16] at example3.c:10:19"
expect_text log "xport-dynamic: dynamic_shapes_example3: dim inp5_dim0 is inp4_dim1 (merged by a suggested fix) at example3.c:12:19"
expect_text log "xport-dynamic: dynamic_shapes_example3: input y dim 0 is inp4_dim1"
expect_text log "xport-dynamic: dynamic_shapes_example3: decided example3.c:17:9: 'xp_size(x, 0) <= 16' (inp4_dim0 <= 16) is true for inp4_dim0 in [0, 16]"
expect_text log "xport-dynamic: dynamic_shapes_example3: no program: 3 suggested fixes are pending"

# A symbolic int input and a size that a weight's shape shares.
cat > symint.c <<'C'
#include <xport.h>
typedef struct {
    #pragma xport param(f32[feat, 4])
    xp_tensor *w;
} Model;
#pragma xport export
#pragma xport dim(feat, min=1, max=64)
#pragma xport dim(n, min=1, max=8)
#pragma xport input(x, f32[n, feat])
xp_tensor *project(const Model *m, xp_tensor *x, int n) {
    if (n >= 1)
        return xp_matmul(x, m->w);
    return x;
}
C
XPORT_LOG=dynamic "${cc[@]}" symint.c 2>log || { cat log >&2; fail "symint.c did not compile"; }
expect_text log "xport-dynamic: project: input n is n (a symbolic int)"
expect_text log "xport-dynamic: project: weight w dim 0 is feat"
expect_text log "xport-dynamic: project: decided symint.c:11:9: 'n >= 1' is true for n in [1, 8]"
echo "ok: XPORT_LOG=dynamic"
