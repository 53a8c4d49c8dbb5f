// xport.so: the Clang plugin's entry point.
//
//   clang-19 -fplugin=xport.so [-fplugin-arg-xport-out=DIR]
//            [-fplugin-arg-xport-strict] [-fplugin-arg-xport-time] -c model.c
//
// A PluginASTAction that runs before the main action (so a normal compile
// still produces its object), with one consumer per translation unit that
// owns everything the plugin records about it. The pragma handler is added
// to the preprocessor when the consumer is created, which keeps `-E` output
// intact (no consumer exists there) and needs no global state.
//
// A file without `#pragma xport` costs one empty check at the end of the
// translation unit.
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"
#include "compat.h"
#include "diagnostics.h"
#include "infra.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

extern "C" {
#include "ops/xp_capi.h"
#include "ops/xp_registry.h"
}

// Since LLVM 16 (C API, so its ABI does not depend on the C++ one). Weak: an
// older clang does not have it, and that is how we recognize one.
extern "C" void LLVMGetVersion(unsigned *major, unsigned *minor, unsigned *patch) __attribute__((weak));

namespace xport {

DiagPolicy &diagPolicy() {
    static DiagPolicy policy;
    return policy;
}

// Until plugin/capture*.cpp provides the real one: capture nothing. The
// strong definition, when linked in, replaces this one.
static bool captureIsStub = false;
__attribute__((weak)) xp_program *captureExport(PluginContext &, const ExportRequest &) {
    captureIsStub = true;
    return nullptr;
}

namespace {

// ---- refusing to run inside another Clang -----------------------------

int findLLVMLibrary(struct dl_phdr_info *info, size_t, void *data) {
    const char *slash = info->dlpi_name ? std::strrchr(info->dlpi_name, '/') : nullptr;
    const char *base = slash ? slash + 1 : info->dlpi_name;
    if (base && (std::strncmp(base, "libLLVM.so.", 11) == 0 || std::strncmp(base, "libLLVM-", 8) == 0)) {
        std::snprintf(static_cast<char *>(data), 64, "%s", base);
        return 1;
    }
    return 0;
}

// The plugin uses Clang's C++ API, whose ABI changes with every major
// version: inside another clang it would crash at the first call. Runs when
// the library is loaded, before the plugin registers itself (this object is
// defined before the registration below, and initializers run in order).
struct RefuseForeignClang {
    RefuseForeignClang() {
        unsigned major = 0, minor = 0, patch = 0;
        if (LLVMGetVersion) LLVMGetVersion(&major, &minor, &patch);
        if (major == compat::kClangMajor) return;
        char host[96];
        if (major)
            std::snprintf(host, sizeof host, "clang %u.%u.%u", major, minor, patch);
        else {
            char lib[64] = "";
            dl_iterate_phdr(findLLVMLibrary, lib);
            std::snprintf(host, sizeof host, lib[0] ? "a clang older than 16 (%s)" : "a clang older than 16", lib);
        }
        char msg[320];
        int n = std::snprintf(msg, sizeof msg,
                              "error: xport.so was built for clang %u and cannot run inside %s; "
                              "compile with clang-%u (xport-cc does this)\n",
                              compat::kClangMajor, host, compat::kClangMajor);
        if (n > 0 && write(STDERR_FILENO, msg, static_cast<size_t>(n) < sizeof msg ? n : sizeof msg - 1) < 0) {
        }
        // Not a crash and not a silent compile without capture: stop here.
        _exit(1);
    }
} refuseForeignClang;

// ---- per translation unit -----------------------------------------------

struct Options {
    std::string outDir;  // empty: beside the object file
    bool strict = false;
    bool time = false;   // print each export's capture and emission time (bench/bench_plugin.sh)
};

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

class XportConsumer : public clang::ASTConsumer {
  public:
    XportConsumer(clang::CompilerInstance &ci, Options opts)
        : ci_(ci), opts_(std::move(opts)), pragmas_(std::make_shared<TUPragmas>()) {
        ci.getPreprocessor().AddPragmaHandler(makePragmaHandler(pragmas_, ci.getDiagnostics()).release());
        diagPolicy().strict = opts_.strict;
    }

    // Our own embedded declarations come back through the consumer chain.
    bool HandleTopLevelDecl(clang::DeclGroupRef) override { return true; }

    void HandleTranslationUnit(clang::ASTContext &ast) override {
        if (pragmas_->entries.empty()) return;  // the cost of a file without pragmas
        clang::DiagnosticsEngine &diags = ci_.getDiagnostics();
        auto start = std::chrono::steady_clock::now();

        PluginContext ctx;
        ctx.ast = &ast;
        ctx.diags = &diags;
        std::vector<ExportRequest> exports;
        attachPragmas(*pragmas_, ctx, exports);
        double attachSeconds = secondsSince(start);
        // Custom ops: schemas and signatures checked at their pragmas; a file
        // of ops alone (a library for `xport run --ops`) registers them.
        if (!diags.hasErrorOccurred()) checkCustomOps(ctx);
        bool embed = defaultEmitOptions(ci_).embed;
        if (exports.empty() && !diags.hasErrorOccurred() && embed) emitCustomOpRegistrations(ci_, ctx);
        // Capturing an AST with errors in it would only add noise.
        if (exports.empty() || diags.hasErrorOccurred()) return;

        // Timed apart from the first capture, which would otherwise carry it:
        // the op registry and the C API table are set up once per compile.
        double setupSeconds = 0;
        if (opts_.time) {
            auto t0 = std::chrono::steady_clock::now();
            xp_registry_init();
            (void)xp_capi_count();
            setupSeconds = secondsSince(t0);
        }

        std::vector<std::pair<const ExportRequest *, xp_program *>> programs;
        std::vector<double> captureSeconds;
        for (const ExportRequest &req : exports) {
            unsigned errorsBefore = diags.getNumErrors();
            auto t0 = std::chrono::steady_clock::now();
            xp_program *p = captureExport(ctx, req);
            if (opts_.time) captureSeconds.push_back(secondsSince(t0));
            if (p) {
                programs.emplace_back(&req, p);
            } else if (!captureIsStub && diags.getNumErrors() == errorsBefore) {
                error(diags, req.exportPragma->loc, "'%0' could not be captured")
                    << req.fn->getName();
                note(diags, req.exportPragma->loc, "this is a bug in xport: the capture failed without saying why");
            }
        }
        // An error anywhere means no object: write no program either.
        if (!diags.hasErrorOccurred()) {
            EmitOptions emit = defaultEmitOptions(ci_);
            if (!opts_.outDir.empty()) {
                emit.outDir = opts_.outDir;
                emit.writeFile = true;
            }
            for (auto &[req, p] : programs) {
                auto t0 = std::chrono::steady_clock::now();
                if (!emitProgram(ci_, *req, p, emit)) break;
                if (opts_.time) printTime(*req, p, captureSeconds[req - exports.data()], secondsSince(t0));
            }
            if (embed && !diags.hasErrorOccurred()) emitCustomOpRegistrations(ci_, ctx);
        }
        if (opts_.time)
            llvm::errs() << llvm::format("xport-time: total %.6f s (attaching pragmas %.6f s, setup %.6f s)\n",
                                         secondsSince(start), attachSeconds, setupSeconds);
        for (auto &entry : programs) xp_program_free(entry.second);
    }

  private:
    // One line per export, for bench/bench_plugin.sh (docs/plugin.md).
    static void printTime(const ExportRequest &req, const xp_program *p, double capture, double emit) {
        llvm::errs() << "xport-time: " << req.fn->getName()
                     << llvm::format(": capture %.6f s, emit %.6f s, %d nodes, %d inputs\n", capture, emit,
                                     p->graph->nnodes, p->nsig_in);
    }

    clang::CompilerInstance &ci_;
    Options opts_;
    std::shared_ptr<TUPragmas> pragmas_;
};

class XportAction : public clang::PluginASTAction {
  protected:
    std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &ci, llvm::StringRef) override {
        return std::make_unique<XportConsumer>(ci, opts_);
    }

    bool ParseArgs(const clang::CompilerInstance &ci, const std::vector<std::string> &args) override {
        clang::DiagnosticsEngine &diags = ci.getDiagnostics();
        bool ok = true;
        for (const std::string &arg : args) {
            llvm::StringRef a(arg);
            if (a.consume_front("out=")) {
                if (a.empty()) {
                    error(diags, clang::SourceLocation(),
                          "-fplugin-arg-xport-out= needs a directory (-fplugin-arg-xport-out=DIR)");
                    ok = false;
                }
                opts_.outDir = a.str();
            } else if (a == "strict") {
                opts_.strict = true;
            } else if (a == "time") {
                opts_.time = true;
            } else {
                error(diags, clang::SourceLocation(), "unknown argument '%0' for plugin 'xport'") << arg;
                note(diags, clang::SourceLocation(),
                     "the plugin takes -fplugin-arg-xport-out=DIR and -fplugin-arg-xport-strict, and "
                     "-fplugin-arg-xport-time to print how long each capture takes");
                ok = false;
            }
        }
        return ok;
    }

    ActionType getActionType() override { return AddBeforeMainAction; }

  private:
    Options opts_;
};

}  // namespace
}  // namespace xport

static clang::FrontendPluginRegistry::Add<xport::XportAction> registerXport(
    "xport", "capture '#pragma xport export' functions into exported programs");
