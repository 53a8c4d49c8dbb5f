// The plugin's copy of libxport never runs a kernel (capture uses shape
// functions only), but the op registry points at every kernel, and the
// matmul kernels call BLAS. Linking OpenBLAS into clang would cost every
// compile its start-up (about 2.5 ms of CPU and a thread pool per
// translation unit, measured on a file without pragmas). These definitions
// satisfy the references instead, and the plugin links with --as-needed, so
// OpenBLAS (and libgfortran behind it) is only loaded if the runtime starts
// calling a BLAS function not listed here.
#include <cstdio>
#include <cstdlib>

namespace {
[[noreturn]] void blasInCompiler(const char *fn) {
    std::fprintf(stderr, "xport.so: internal error: %s called inside the compiler (the plugin runs no kernels)\n",
                 fn);
    std::abort();
}
}  // namespace

extern "C" {
void cblas_sgemm(...) { blasInCompiler("cblas_sgemm"); }
void cblas_dgemm(...) { blasInCompiler("cblas_dgemm"); }
void openblas_set_num_threads(int) {}
}
