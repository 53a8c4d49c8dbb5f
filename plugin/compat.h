// Differences between Clang versions, kept in one place (as Clad does in
// clad/Differentiator/Compatibility.h). The plugin is built and tested
// against Clang 19 and refuses to load into any other major version (see
// xport_plugin.cpp), but the source should move to the next release by
// editing this header alone.
#pragma once

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Type.h"
#include "clang/Basic/Version.h"

#if CLANG_VERSION_MAJOR < 18
#error "xport's plugin needs Clang 18 or newer (it is tested with Clang 19)"
#endif

namespace xport {
namespace compat {

// The Clang major version this plugin was compiled against.
constexpr unsigned kClangMajor = CLANG_VERSION_MAJOR;

// `char[size]` / `const char[size]`. Clang 18 made ArraySizeModifier a
// scoped enum outside ArrayType.
inline clang::QualType charArrayType(const clang::ASTContext &ctx, clang::QualType elem, uint64_t size) {
    return ctx.getConstantArrayType(elem, llvm::APInt(64, size), nullptr, clang::ArraySizeModifier::Normal,
                                    /*IndexTypeQuals=*/0);
}

// An ordinary (narrow, non-UTF) string literal holding `bytes`, which may
// contain NULs; its type is char[bytes.size() + 1]. Clang 18 renamed
// StringLiteral::Ordinary to StringLiteralKind::Ordinary.
inline clang::StringLiteral *ordinaryStringLiteral(const clang::ASTContext &ctx, llvm::StringRef bytes,
                                                   clang::SourceLocation loc) {
    clang::QualType type = charArrayType(ctx, ctx.CharTy, bytes.size() + 1);
    return clang::StringLiteral::Create(ctx, bytes, clang::StringLiteralKind::Ordinary, /*Pascal=*/false, type,
                                        loc);
}

}  // namespace compat
}  // namespace xport
