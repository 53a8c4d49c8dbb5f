// Custom ops (issue 6, docs/custom-ops.md):
//
//   #pragma xport op("my_lib::custom_op(Tensor input) -> Tensor")
//   xp_tensor *custom_op(xp_tensor *input) { ... }          // eager implementation
//   #pragma xport meta("my_lib::custom_op")
//   xp_tensor *custom_op_meta(xp_tensor *input) { return xp_empty_like(input); }
//
// checkCustomOps validates each schema with the runtime's own checker
// (xp_custom_schema_check: syntax, alias annotations, return type, the
// argument types custom ops support) and the C signatures against it, with
// errors at the pragma; the capture (capture_custom.cpp) records calls as
// one node. emitCustomOpRegistrations adds, for each op, a constructor
//
//   static void __xport_register_custom_op(void) __attribute__((constructor)) {
//       xp_op_register_linked("my_lib::custom_op(Tensor input) -> Tensor",
//                             (void (*)(void))custom_op, "model.c");
//   }
//
// so linking the object (or dlopening a shared library built from it)
// registers the implementation as the op's CPU kernel before main. A
// constructor, not a section scanned by libxport: it works the same in an
// executable, in a shared library the program links, and in one that
// `xport run --ops` dlopens, with no linker-defined symbols to find.
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclGroup.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "compat.h"
#include "diagnostics.h"
#include "infra.h"

extern "C" {
#include "core/xp_core.h"
}

namespace xport {
namespace {

using namespace clang;

bool isTensorPtr(QualType type) {
    const auto *ptr = type.getCanonicalType()->getAs<PointerType>();
    if (!ptr) return false;
    const auto *rec = ptr->getPointeeType()->getAs<RecordType>();
    return rec && rec->getDecl()->getName() == "xp_tensor";
}

// The C type a schema argument takes ("xp_tensor *", "int64_t", ...), and
// whether `type` is it.
const char *cTypeFor(const xp_schema_arg &a) {
    switch (a.kind) {
    case XP_ARG_INT: return "int64_t";
    case XP_ARG_FLOAT: return "double";
    case XP_ARG_BOOL: return "bool";
    default: return "xp_tensor *";
    }
}

bool matches(const ASTContext &ast, const xp_schema_arg &a, QualType type) {
    QualType t = type.getCanonicalType().getUnqualifiedType();
    switch (a.kind) {
    case XP_ARG_INT:
        return t->isIntegerType() && !t->isBooleanType() && !t->isEnumeralType() && ast.getTypeSize(t) == 64;
    case XP_ARG_FLOAT: return t->isSpecificBuiltinType(BuiltinType::Double);
    case XP_ARG_BOOL: return t->isBooleanType();
    default: return isTensorPtr(t);
    }
}

// The location of column `col` (1-based) of the schema string in `rec`.
SourceLocation schemaLoc(const PragmaRecord &rec, int col) {
    size_t quote = rec.text.find('"', size_t(rec.parsed.offset > 0 ? rec.parsed.offset : 0));
    if (quote == std::string::npos) return rec.loc;
    SourceLocation loc = rec.locAt(int(quote));
    if (col <= 0 || loc.isMacroID()) return loc;
    return loc.getLocWithOffset(col);  // past the opening quote
}

std::string sourceFile(const ASTContext &ast, SourceLocation loc) {
    const SourceManager &sm = ast.getSourceManager();
    PresumedLoc where = sm.getPresumedLoc(sm.getExpansionLoc(loc));
    return where.isValid() ? where.getFilename() : "<unknown>";
}

// Checks `fn`'s parameters and return type (an implementation's or a meta
// function's) against `s`.
bool checkSignature(PluginContext &ctx, const FunctionDecl *fn, const xp_schema &s, const PragmaRecord &rec) {
    DiagnosticsEngine &diags = *ctx.diags;
    bool ok = true;
    if (fn->isVariadic() || fn->getNumParams() != unsigned(s.nargs)) {
        error(diags, fn->getLocation(), "'%0' has %1 parameter%s2, but the schema of custom op '%3' has %4 argument%s5")
            << fn->getName() << fn->getNumParams() << fn->getNumParams() << s.name << s.nargs << s.nargs;
        note(diags, schemaLoc(rec, 0), "custom op '%0' is declared here") << s.name;
        return false;
    }
    for (int i = 0; i < s.nargs; i++) {
        const ParmVarDecl *pv = fn->getParamDecl(unsigned(i));
        const xp_schema_arg &a = s.args[i];
        if (matches(*ctx.ast, a, pv->getType())) continue;
        error(diags, pv->getLocation(), "parameter '%0' of '%1' has type %2, but argument '%3' of custom op '%4' is "
                                        "'%5', which is '%6' in C")
            << pv->getName() << fn->getName() << pv->getType() << a.name << s.name
            << (a.type_text ? a.type_text : "?") << cTypeFor(a) << pv->getSourceRange();
        ok = false;
    }
    if (!isTensorPtr(fn->getReturnType())) {
        error(diags, fn->getLocation(), "'%0' returns %1, but custom op '%2' returns a Tensor, which is 'xp_tensor *' "
                                        "in C")
            << fn->getName() << fn->getReturnType() << s.name << fn->getReturnTypeSourceRange();
        ok = false;
    }
    if (!ok) note(diags, schemaLoc(rec, 0), "custom op '%0' is declared here") << s.name;
    return ok;
}

}  // namespace

void checkCustomOps(PluginContext &ctx) {
    DiagnosticsEngine &diags = *ctx.diags;
    std::map<std::string, const FunctionDecl *> byName;
    for (auto &[fn, rec] : ctx.opPragmas) {
        const char *text = rec->parsed.schema ? rec->parsed.schema : "";
        CustomOp op;
        int col = 0;
        xp_clear_error();
        if (xp_custom_schema_check(text, &op.schema, &col) != XP_OK) {
            error(diags, schemaLoc(*rec, col), "invalid custom op schema: %0") << xp_last_error();
            continue;
        }
        std::string name = op.schema.name;
        if (auto it = byName.find(name); it != byName.end()) {
            error(diags, schemaLoc(*rec, 0), "custom op '%0' is declared twice in this file") << name;
            note(diags, it->second->getLocation(), "'%0' implements it already") << it->second->getName();
            continue;
        }
        byName[name] = fn;
        if (!checkSignature(ctx, fn, op.schema, *rec)) continue;
        xp_clear_error();
        if (xp_op_register_custom(text, nullptr, sourceFile(*ctx.ast, rec->loc).c_str(), &op.id) != XP_OK) {
            error(diags, schemaLoc(*rec, 0), "%0") << xp_last_error();
            continue;
        }
        op.impl = fn;
        op.pragma = rec;
        op.schemaText = text;
        ctx.customOps[fn->getCanonicalDecl()] = op;
    }
    for (auto &[fn, rec] : ctx.metaPragmas) {
        std::string name;
        for (const char *c = rec->parsed.name; *c; c++)
            if (*c != ' ') name += *c;
        CustomOp *op = nullptr;
        for (auto &[impl, o] : ctx.customOps)
            if (name == o.schema.name) op = &o;
        if (!op) {
            if (byName.count(name)) continue;  // its op pragma was diagnosed
            error(diags, rec->locAt(rec->parsed.name_offset),
                  "'#pragma xport meta' names custom op '%0', which no '#pragma xport op' in this file declares")
                << name;
            continue;
        }
        if (op->meta) {
            error(diags, rec->locAt(rec->parsed.name_offset), "custom op '%0' already has a meta function") << name;
            note(diags, op->meta->getLocation(), "'%0' is its meta function") << op->meta->getName();
            continue;
        }
        if (!checkSignature(ctx, fn, op->schema, *op->pragma)) continue;
        op->meta = fn;
    }
}

namespace {

// `e` converted as C's implicit conversions would.
Expr *implicitCast(ASTContext &ast, QualType to, CastKind kind, Expr *e) {
    return ImplicitCastExpr::Create(ast, to, kind, e, nullptr, VK_PRValue, FPOptionsOverride());
}

Expr *stringArg(ASTContext &ast, llvm::StringRef s, SourceLocation loc) {
    StringLiteral *lit = compat::ordinaryStringLiteral(ast, s, loc);
    Expr *decayed = implicitCast(ast, ast.getPointerType(ast.CharTy), CK_ArrayToPointerDecay, lit);
    return implicitCast(ast, ast.getPointerType(ast.CharTy.withConst()), CK_NoOp, decayed);
}

Expr *functionRef(ASTContext &ast, FunctionDecl *fn, SourceLocation loc) {
    Expr *ref = DeclRefExpr::Create(ast, NestedNameSpecifierLoc(), SourceLocation(), fn, false, loc, fn->getType(),
                                    VK_LValue);
    return implicitCast(ast, ast.getPointerType(fn->getType()), CK_FunctionToPointerDecay, ref);
}

// xp_op_register_linked from xport.h, or a declaration of it when the file
// reached the op's types some other way.
FunctionDecl *registerFunction(ASTContext &ast, QualType voidFnPtr, SourceLocation loc) {
    TranslationUnitDecl *tu = ast.getTranslationUnitDecl();
    IdentifierInfo &id = ast.Idents.get("xp_op_register_linked");
    for (NamedDecl *d : tu->lookup(DeclarationName(&id)))
        if (auto *fd = dyn_cast<FunctionDecl>(d)) return fd;
    QualType cstr = ast.getPointerType(ast.CharTy.withConst());
    QualType params[] = {cstr, voidFnPtr, cstr};
    QualType type = ast.getFunctionType(ast.VoidTy, params, FunctionProtoType::ExtProtoInfo());
    FunctionDecl *fd = FunctionDecl::Create(ast, tu, loc, loc, DeclarationName(&id), type,
                                            ast.getTrivialTypeSourceInfo(type, loc), SC_Extern);
    std::vector<ParmVarDecl *> pvs;
    for (QualType p : params)
        pvs.push_back(ParmVarDecl::Create(ast, fd, loc, loc, nullptr, p, ast.getTrivialTypeSourceInfo(p, loc),
                                          SC_None, nullptr));
    fd->setParams(pvs);
    fd->setImplicit();
    tu->addDecl(fd);
    return fd;
}

}  // namespace

void emitCustomOpRegistrations(CompilerInstance &ci, const PluginContext &ctx) {
    if (ctx.customOps.empty()) return;
    ASTContext &ast = ci.getASTContext();
    TranslationUnitDecl *tu = ast.getTranslationUnitDecl();
    FunctionProtoType::ExtProtoInfo epi;
    QualType voidFn = ast.getFunctionType(ast.VoidTy, {}, epi);
    QualType voidFnPtr = ast.getPointerType(voidFn);
    for (const auto &[key, op] : ctx.customOps) {
        (void)key;
        SourceLocation loc = op.impl->getLocation();
        FunctionDecl *reg = registerFunction(ast, voidFnPtr, loc);
        Expr *impl = functionRef(ast, const_cast<FunctionDecl *>(op.impl), loc);
        Expr *asVoidFn = CStyleCastExpr::Create(ast, voidFnPtr, VK_PRValue, CK_BitCast, impl, nullptr,
                                                FPOptionsOverride(), ast.getTrivialTypeSourceInfo(voidFnPtr, loc),
                                                loc, loc);
        Expr *args[] = {stringArg(ast, op.schemaText, loc), asVoidFn,
                        stringArg(ast, sourceFile(ast, op.pragma->loc), loc)};
        CallExpr *call = CallExpr::Create(ast, functionRef(ast, reg, loc), args, ast.VoidTy, VK_PRValue, loc,
                                          FPOptionsOverride());
        CompoundStmt *body = CompoundStmt::Create(ast, {call}, FPOptionsOverride(), loc, loc);
        IdentifierInfo &id = ast.Idents.get(("__xport_register_" + op.impl->getName()).str());
        FunctionDecl *ctor = FunctionDecl::Create(ast, tu, loc, loc, DeclarationName(&id), voidFn,
                                                  ast.getTrivialTypeSourceInfo(voidFn, loc), SC_Static);
        ctor->setBody(body);
        ctor->addAttr(ConstructorAttr::CreateImplicit(ast, 65535));
        ctor->addAttr(UsedAttr::CreateImplicit(ast));
        ctor->setImplicit();
        tu->addDecl(ctor);
        // Through the whole consumer chain, so CodeGen emits it (as emit.cpp does).
        ci.getASTConsumer().HandleTopLevelDecl(DeclGroupRef(ctor));
    }
}

}  // namespace xport
