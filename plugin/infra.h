// The plugin's infrastructure, shared by xport_plugin.cpp (the action and
// the consumer), pragma_handler.cpp, attach.cpp and emit.cpp. The capture
// (plugin/capture*.cpp) sees only xport_plugin.h.
//
// The flow for one translation unit, as in Clad:
//   1. while Clang parses, the pragma handler records each `#pragma xport`
//      line (text, token locations) and parses it with the C grammar parser;
//   2. after parsing (HandleTranslationUnit) attach.cpp attaches every
//      record to the declaration or statement that follows it, by source
//      order and scope;
//   3. each export is captured (xport::captureExport), and emit.cpp writes
//      NAME.xpg and embeds the program in the object.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/Pragma.h"
#include "xport_plugin.h"

namespace xport {

// One `#pragma xport` line as the handler saw it.
struct PragmaEntry {
    std::unique_ptr<PragmaRecord> rec;
    xp_pragma_kind kind = XP_PRAGMA_EXPORT;
    bool ok = false;             // parsed without error (else already diagnosed)
    clang::SourceLocation where; // expansion location of 'xport', for source order
};

// Everything recorded while parsing one translation unit, in source order.
struct TUPragmas {
    std::vector<PragmaEntry> entries;
};

// A handler for the `xport` pragma namespace; the preprocessor owns it.
std::unique_ptr<clang::PragmaHandler> makePragmaHandler(std::shared_ptr<TUPragmas> pragmas,
                                                        clang::DiagnosticsEngine &diags);

// Attaches the recorded pragmas to the AST (diagnosing those that attach to
// nothing) and fills `ctx` and one request per export, in source order.
// Requests whose pragmas had errors are left out.
void attachPragmas(TUPragmas &pragmas, PluginContext &ctx, std::vector<ExportRequest> &exports);

// Custom ops (custom_op.cpp): checks every op/meta pragma's schema and C
// signature (errors at the pragma), registers the valid ops' schemas in
// this process's registry and fills ctx.customOps.
void checkCustomOps(PluginContext &ctx);
// Emits, for each custom op, a constructor that registers its
// implementation when the object is linked or dlopened.
void emitCustomOpRegistrations(clang::CompilerInstance &ci, const PluginContext &ctx);

// Where and how emit.cpp writes a program.
struct EmitOptions {
    std::string outDir;      // NAME.xpg goes here
    bool writeFile = true;   // false when the object goes to /dev/null and no out= was given
    bool embed = true;       // false with -fsyntax-only (no object)
};

// The out directory implied by the compiler invocation (DESIGN §4: beside
// the object file; the current directory with -fsyntax-only).
EmitOptions defaultEmitOptions(const clang::CompilerInstance &ci);

// Embeds and writes one captured program. Reports failures as errors and
// returns false.
bool emitProgram(clang::CompilerInstance &ci, const ExportRequest &req, const xp_program *program,
                 const EmitOptions &opts);

}  // namespace xport
