// The interface between the parts of the Clang plugin (C++ only where
// Clang's API demands it; everything else is the C library):
//   - pragma_handler / attach (plugin infrastructure): record every
//     `#pragma xport` line, parse its text with the C grammar parser, and
//     attach it to the declaration or statement it annotates;
//   - capture (AST interpretation): turn an exported function into a
//     program through the C capture API;
//   - emit: write NAME.xpg and embed the program in the object file.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"

extern "C" {
#include "annot/xp_spec.h"
#include "capture/xp_capture.h"
}

namespace xport {

// One `#pragma xport ...` line.
struct PragmaRecord {
    xp_pragma parsed{};                   // from xp_pragma_parse
    std::string text;                     // the reconstructed argument text
    clang::SourceLocation loc;            // the 'xport' token
    std::vector<clang::SourceLocation> tokenLocs;  // start of each token in `text`
    std::vector<int> tokenOffsets;        // byte offset of each token in `text`
    bool used = false;                    // attached and consumed (for unused warnings)

    // The source location of byte `offset` of `text` (the token containing it).
    clang::SourceLocation locAt(int offset) const;
    ~PragmaRecord() { xp_pragma_clear(&parsed); }
};

// An exported function and the pragmas that describe it.
struct ExportRequest {
    const clang::FunctionDecl *fn = nullptr;
    PragmaRecord *exportPragma = nullptr;
    std::vector<PragmaRecord *> dims;     // dim(...) lines, in order
    std::vector<PragmaRecord *> inputs;   // input(...) lines, in order
};

// A custom op declared in this translation unit whose schema and C
// signature are valid (plugin/custom_op.cpp; docs/custom-ops.md).
struct CustomOp {
    const clang::FunctionDecl *impl = nullptr;  // the eager implementation (its definition)
    const clang::FunctionDecl *meta = nullptr;  // the meta function, if declared
    PragmaRecord *pragma = nullptr;             // op(...)
    std::string schemaText;
    xp_schema schema{};
    xp_op_id id = XP_OP_NONE;                   // in this process's registry (schema only)
};

// Everything the capture needs from the infrastructure for one translation unit.
struct PluginContext {
    clang::ASTContext *ast = nullptr;
    clang::DiagnosticsEngine *diags = nullptr;
    // param/buffer pragmas by the struct field they annotate
    std::map<const clang::FieldDecl *, PragmaRecord *> fieldPragmas;
    // cond/map pragmas by the statement they annotate (IfStmt / ForStmt)
    std::map<const clang::Stmt *, PragmaRecord *> stmtPragmas;
    // custom ops (issue 6): op(...) and meta(...) by function
    std::map<const clang::FunctionDecl *, PragmaRecord *> opPragmas;
    std::map<const clang::FunctionDecl *, PragmaRecord *> metaPragmas;
    // the valid ones, by the implementation's canonical declaration (custom_op.cpp)
    std::map<const clang::FunctionDecl *, CustomOp> customOps;
};

// Captures `req.fn` into a new program. Emits diagnostics for everything it
// cannot capture; returns nullptr when any error was emitted.
xp_program *captureExport(PluginContext &ctx, const ExportRequest &req);

}  // namespace xport
