// Calls of custom ops (#pragma xport op, custom_op.cpp checked them): one
// node, never inlined. The node's output dtype and shape come from the op's
// meta function, interpreted here on a scratch capture whose inputs have the
// call's argument metas — in the program's own symbol context, so a meta
// function that returns xp_empty(..., {xp_size(x, 0) - 1, ...}) gives the
// node the symbolic shape [n - 1, ...]. The scratch graph is thrown away.
#include "capture_interp.h"

extern "C" {
#include "core/xp_core.h"
}

namespace xport::capture {

using namespace clang;

bool Interp::customOpMeta(const CustomOp &op, const CallExpr *ce, const std::vector<Value> &args, xp_meta &out) {
    xp_program *scratch = xp_program_new("meta");
    if (!scratch) {
        diag_.error(ce->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << ce->getSourceRange();
        return false;
    }
    // The scratch program borrows the program's symbols (restored before it is freed).
    xp_symctx *ownSyms = scratch->syms;
    scratch->syms = prog_->syms;
    xp_capture *sc = xp_capture_new(scratch);
    std::vector<Value> metaArgs = args;
    bool ok = sc != nullptr;
    if (!ok) diag_.error(ce->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << ce->getSourceRange();
    for (size_t k = 0; k < args.size() && ok; k++) {
        if (args[k].kind != VK::Tensor) continue;
        const xp_meta *m = xp_capture_meta(cap_, args[k].t);
        xp_cref ref = XP_CREF_NONE;
        std::string name = "arg" + std::to_string(k);
        if (!m || xp_capture_user_input(sc, name.c_str(), m->dtype, m->ndim, m->shape, &ref) != XP_OK) {
            diag_.error(ce->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << ce->getSourceRange();
            ok = false;
            break;
        }
        metaArgs[k] = Value::mkTensor(ref, args[k].origin);
    }
    Value result;
    if (ok) {
        xp_capture *savedCap = cap_;
        xp_program *savedProg = prog_;
        std::map<std::string, int32_t> savedFiles;
        savedFiles.swap(files_);
        cap_ = sc;
        prog_ = scratch;
        ok = callInline(op.meta, ce, metaArgs, result);
        cap_ = savedCap;
        prog_ = savedProg;
        files_.swap(savedFiles);
    }
    if (ok && result.kind != VK::Tensor) {
        Report r = diag_.error(ce->getExprLoc(), DiagId::CustomOpMetaResult);
        r << op.schema.name << describeKind(result.kind) << ce->getSourceRange();
        ok = false;
    }
    if (ok) {
        const xp_meta *m = xp_capture_meta(sc, result.t);
        if (m)
            out = *m;
        else {
            diag_.error(ce->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << ce->getSourceRange();
            ok = false;
        }
    }
    if (sc) xp_capture_free(sc);
    scratch->syms = ownSyms;
    xp_program_free(scratch);
    return ok;
}

bool Interp::callCustomOp(const CustomOp &op, const CallExpr *ce, Value &out) {
    const char *name = op.schema.name;
    std::vector<Value> args;
    if (!evalArgs(ce, args)) return false;
    if (!op.meta) {
        Report r = diag_.error(ce->getExprLoc(), DiagId::CustomOpNoMeta);
        r << name << ce->getSourceRange();
        r.note(ce->getExprLoc(), DiagId::NoteCustomOpAddMeta) << name;
        return false;
    }
    std::string fn = op.impl->getNameAsString();
    auto argExpr = [&](size_t k) -> const Expr * { return k < ce->getNumArgs() ? ce->getArg(unsigned(k)) : ce; };
    auto kindError = [&](size_t k, const char *want) {
        const Expr *e = argExpr(k);
        diag_.error(e->getExprLoc(), DiagId::OpArgKind)
            << op.schema.args[k].name << fn << want << describeKind(args[k].kind) << e->getSourceRange();
        return false;
    };
    std::vector<xp_carg> cargs;
    for (size_t k = 0; k < args.size() && k < size_t(op.schema.nargs); k++) {
        const xp_schema_arg &a = op.schema.args[k];
        const Value &v = args[k];
        switch (a.kind) {
        case XP_ARG_INT:
            if (!v.isIntLike()) return kindError(k, "an integer");
            cargs.push_back(xp_carg_i(v.i));  // may be symbolic: the node keeps the expression
            break;
        case XP_ARG_FLOAT:
            if (v.kind == VK::Float)
                cargs.push_back(xp_carg_f(v.f));
            else if (v.isConcreteInt())
                cargs.push_back(xp_carg_f(double(v.i)));
            else
                return kindError(k, "a constant number");
            break;
        case XP_ARG_BOOL:
            if (!v.isConcreteInt()) return kindError(k, "a constant bool");
            cargs.push_back(xp_carg_b(v.i != 0));
            break;
        default:
            if (v.kind == VK::Null && a.optional)
                cargs.push_back(xp_carg_none());
            else if (v.kind == VK::Tensor)
                cargs.push_back(xp_carg_t(v.t));
            else
                return kindError(k, a.optional ? "a tensor or NULL" : "a tensor");
            break;
        }
    }
    xp_meta meta;
    if (!customOpMeta(op, ce, args, meta)) return false;
    xp_cref result = XP_CREF_NONE;
    if (xp_capture_custom_op(cap_, op.id, cargs.data(), int(cargs.size()), &meta, srcloc(ce->getBeginLoc()),
                             &result) != XP_OK) {
        Report r = diag_.error(ce->getExprLoc(), DiagId::OpFailed);
        r << xp_last_error() << ce->getSourceRange();
        r.note(op.pragma->loc, DiagId::NoteCustomOpDeclared) << name;
        return false;
    }
    out = Value::mkTensor(result, ce->getBeginLoc());
    return true;
}

}  // namespace xport::capture
