// Emission of captured programs: NAME.xpg in the out directory, written
// atomically, and the same JSON embedded in the object file, where
// XP_PROGRAM(NAME) + xp_program_load_embedded (annotations/xport.h,
// runtime/exec/embedded.c) find it at run time.
//
// The embedded entry is a `static const char[]` the plugin adds to the
// translation unit after parsing, in section "xport_programs", marked used
// and retain:
//
//   "XPORT-PROGRAM v1\0" NAME "\0" SOURCE-FILE "\0" JSON "\0"
//
// The linker concatenates the entries of all objects (with NUL padding for
// alignment) and defines __start_xport_programs / __stop_xport_programs
// around them. Internal linkage keeps two objects that export the same name
// from clashing at link time; the loader reports the ambiguity instead.
#include <cstdlib>

#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclGroup.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/FrontendOptions.h"
#include "compat.h"
#include "diagnostics.h"
#include "infra.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

extern "C" {
#include "io/xp_io.h"
}

namespace xport {
namespace {

bool emitsCode(clang::frontend::ActionKind action) {
    switch (action) {
    case clang::frontend::EmitObj:
    case clang::frontend::EmitAssembly:
    case clang::frontend::EmitBC:
    case clang::frontend::EmitLLVM:
    case clang::frontend::EmitLLVMOnly:
    case clang::frontend::EmitCodeGenOnly:
        return true;
    default:
        return false;
    }
}

// True for the object a one-step `clang model.c main.c -o app` compiles
// into: the driver names it <system temp dir>/<input stem>-XXXXXX.o. Its
// program belongs in the current directory, not in /tmp.
bool isDriverTemporary(llvm::StringRef output, const clang::CompilerInstance &ci) {
    llvm::SmallString<256> tmp;
    llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, tmp);
    llvm::StringRef dir = llvm::sys::path::parent_path(output);
    if (dir.empty() || !llvm::sys::fs::equivalent(dir, tmp)) return false;
    const auto &inputs = ci.getFrontendOpts().Inputs;
    if (inputs.empty() || !inputs[0].isFile()) return false;
    llvm::StringRef inputStem = llvm::sys::path::stem(inputs[0].getFile());
    llvm::StringRef stem = llvm::sys::path::stem(output);
    return stem.size() == inputStem.size() + 7 && stem.starts_with(inputStem) && stem[inputStem.size()] == '-';
}

bool writeAtomically(const std::string &path, const char *data, size_t len, std::string &why) {
    xp_atomic_file af{};
    xp_clear_error();
    if (xp_atomic_file_open(&af, path.c_str()) != XP_OK) {
        why = xp_last_error();
        return false;
    }
    if (fwrite(data, 1, len, af.f) != len) {
        why = "write failed";
        xp_atomic_file_abort(&af);
        return false;
    }
    if (xp_atomic_file_commit(&af) != XP_OK) {
        why = xp_last_error();
        return false;
    }
    return true;
}

void embed(clang::CompilerInstance &ci, const ExportRequest &req, llvm::StringRef name, llvm::StringRef json) {
    clang::ASTContext &ast = ci.getASTContext();
    const clang::SourceManager &sm = ast.getSourceManager();
    clang::SourceLocation loc = req.fn->getLocation();
    clang::PresumedLoc where = sm.getPresumedLoc(sm.getExpansionLoc(loc));
    llvm::StringRef source = where.isValid() ? llvm::StringRef(where.getFilename()) : llvm::StringRef("<unknown>");

    std::string bytes("XPORT-PROGRAM v1", 16);
    bytes.push_back('\0');
    bytes += name;
    bytes.push_back('\0');
    bytes += source;
    bytes.push_back('\0');
    bytes += json;  // the array's own terminating NUL ends the entry

    clang::QualType type = compat::charArrayType(ast, ast.CharTy.withConst(), bytes.size() + 1);
    clang::TranslationUnitDecl *tu = ast.getTranslationUnitDecl();
    clang::IdentifierInfo &id = ast.Idents.get(("__xport_program_" + name).str());
    clang::VarDecl *var = clang::VarDecl::Create(ast, tu, loc, loc, &id, type,
                                                 ast.getTrivialTypeSourceInfo(type, loc), clang::SC_Static);
    var->setInit(compat::ordinaryStringLiteral(ast, bytes, loc));
    var->addAttr(clang::SectionAttr::CreateImplicit(ast, "xport_programs"));
    var->addAttr(clang::UsedAttr::CreateImplicit(ast));
    // SHF_GNU_RETAIN: kept by --gc-sections, which lld (13+) otherwise
    // applies to sections referenced only through __start_/__stop_.
    var->addAttr(clang::RetainAttr::CreateImplicit(ast));
    var->setImplicit();
    tu->addDecl(var);
    // Through the whole consumer chain, so CodeGen emits it.
    ci.getASTConsumer().HandleTopLevelDecl(clang::DeclGroupRef(var));
}

}  // namespace

EmitOptions defaultEmitOptions(const clang::CompilerInstance &ci) {
    const clang::FrontendOptions &fo = ci.getFrontendOpts();
    EmitOptions opts;
    opts.outDir = ".";
    opts.embed = emitsCode(fo.ProgramAction);
    llvm::StringRef out = fo.OutputFile;
    if (!opts.embed || out.empty() || out == "-") return opts;
    llvm::sys::fs::file_status st;
    if (!llvm::sys::fs::status(out, st) && st.type() != llvm::sys::fs::file_type::regular_file) {
        opts.writeFile = false;  // -o /dev/null: a probe, not a build
        return opts;
    }
    llvm::StringRef dir = llvm::sys::path::parent_path(out);
    if (!dir.empty() && !isDriverTemporary(out, ci)) opts.outDir = dir.str();
    return opts;
}

bool emitProgram(clang::CompilerInstance &ci, const ExportRequest &req, const xp_program *program,
                 const EmitOptions &opts) {
    clang::DiagnosticsEngine &diags = ci.getDiagnostics();
    std::string name = req.fn->getName().str();
    clang::SourceLocation at = req.exportPragma ? req.exportPragma->loc : req.fn->getLocation();

    char *json = nullptr;
    size_t len = 0;
    xp_clear_error();
    if (xp_program_to_json(program, &json, &len) != XP_OK) {
        error(diags, at, "cannot serialize the program of '%0': %1") << name << xp_last_error();
        return false;
    }
    std::unique_ptr<char, decltype(&std::free)> hold(json, &std::free);

    if (opts.writeFile) {
        llvm::SmallString<256> path(opts.outDir);
        llvm::sys::path::append(path, name + ".xpg");
        std::string why;
        if (!writeAtomically(path.str().str(), json, len, why)) {
            error(diags, at, "cannot write the exported program '%0' to '%1': %2") << name << path.str() << why;
            note(diags, at, "choose the directory with -fplugin-arg-xport-out=DIR");
            return false;
        }
    }
    if (opts.embed) embed(ci, req, name, llvm::StringRef(json, len));
    return true;
}

}  // namespace xport
