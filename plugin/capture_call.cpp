// Calls. In order:
//   1. a public op function: its row in the C API table (xp_capi_find) says
//      how the C arguments become the op's arguments; the capture library
//      records the node (and functionalizes in-place ops);
//   2. the non-op tensor API (xp_size, xp_keep, scopes, data access, ...),
//      handled by name, and the size helpers xp_sym_* (as C operators);
//   3. a function defined in this translation unit: inlined, its
//      parameters bound to the argument values;
//   4. a C math function on constants (sqrtf(64.0f)), folded;
//   5. anything else is an error naming the function.
#include "capture_interp.h"

#include <cmath>
#include <cstdlib>
#include <deque>

extern "C" {
#include "core/xp_core.h"
}

namespace xport::capture {

using namespace clang;

SourceLocation Interp::fileLoc(SourceLocation loc) const { return loc.isValid() ? sm_.getFileLoc(loc) : loc; }

xp_srcloc Interp::srcloc(SourceLocation loc) {
    PresumedLoc pl = sm_.getPresumedLoc(fileLoc(loc));
    if (pl.isInvalid()) return XP_NO_LOC;
    std::string file = pl.getFilename();
    auto it = files_.find(file);
    int32_t idx;
    if (it != files_.end()) {
        idx = it->second;
    } else {
        idx = xp_program_file(prog_, file.c_str());
        files_[file] = idx;
    }
    return xp_srcloc{idx, int32_t(pl.getLine()), int32_t(pl.getColumn())};
}

bool Interp::evalArgs(const CallExpr *ce, std::vector<Value> &args) {
    args.clear();
    for (const Expr *a : ce->arguments()) {
        Value v;
        if (!eval(a, v)) return false;
        args.push_back(std::move(v));
    }
    return true;
}

static std::string paramName(const CallExpr *ce, unsigned i) {
    if (const FunctionDecl *fd = ce->getDirectCallee())
        if (i < fd->getNumParams() && !fd->getParamDecl(i)->getName().empty())
            return fd->getParamDecl(i)->getNameAsString();
    return "#" + std::to_string(i + 1);
}

bool Interp::tensorArg(const CallExpr *ce, unsigned i, const char *fn, const Value &v, xp_cref &out) {
    if (v.kind == VK::Tensor) {
        out = v.t;
        return true;
    }
    const Expr *arg = i < ce->getNumArgs() ? ce->getArg(i) : ce;
    diag_.error(arg->getExprLoc(), DiagId::OpArgKind)
        << paramName(ce, i) << fn << "a tensor" << describeKind(v.kind) << arg->getSourceRange();
    return false;
}

bool Interp::evalCall(const CallExpr *ce, Value &out) {
    // Inside a map body: slice reads and writes (capture_control.cpp).
    if (auto hook = callHooks_.find(ce); hook != callHooks_.end()) return hook->second(out);
    const FunctionDecl *fd = ce->getDirectCallee();
    if (!fd) {
        Value callee;
        if (!eval(ce->getCallee(), callee)) return false;
        if (callee.kind != VK::Function) {
            const Expr *ptr = ce->getCallee()->IgnoreParenImpCasts();
            Report r = diag_.error(ptr->getExprLoc(), DiagId::UnresolvedFnPtr);
            r << sourceText(ptr) << ptr->getSourceRange();
            r.note(ptr->getExprLoc(), DiagId::NoteUnresolvedFnPtr);
            return false;
        }
        fd = callee.fn;
    }
    std::string name = fd->getNameAsString();
    out = Value();

    // A custom op: one node, its shape from its meta function (capture_custom.cpp).
    if (auto it = ctx_.customOps.find(fd->getCanonicalDecl()); it != ctx_.customOps.end())
        return callCustomOp(it->second, ce, out);
    for (const FunctionDecl *r : fd->redecls()) {
        if (ctx_.opPragmas.count(r)) {
            diag_.error(ce->getExprLoc(), DiagId::CustomOpUnsupported) << name << ce->getSourceRange();
            return false;
        }
    }
    // An assertion whose condition was decided false.
    if (assertFailCall(ce)) {
        std::string text = sourceText(ce);
        if (ce->getNumArgs() > 0)
            if (const auto *sl = dyn_cast<StringLiteral>(ce->getArg(0)->IgnoreParenCasts()))
                if (sl->getCharByteWidth() == 1) text = sl->getString().str();
        diag_.error(fileLoc(ce->getExprLoc()), DiagId::AssertionFalse) << text;
        return false;
    }
    // Output and non-local jumps: effects outside any graph (capture_break.cpp).
    if (sideEffectCall(name, ce)) return false;
    // The XP_AT_ wrappers of XPORT_CALL_SITES (xport.h): the tracer's
    // bookkeeping around a call; the call inside is the call.
    if (StringRef(name).starts_with("xp_at_done_") && ce->getNumArgs() == 1) return eval(ce->getArg(0), out);
    // 1. ops
    if (const xp_capi_fn *row = xp_capi_find(name.c_str())) {
        std::vector<Value> args;
        if (!evalArgs(ce, args)) return false;
        return callOp(row, ce, args, out);
    }
    // 2. the rest of the tensor API; cond and map as functions (capture_control.cpp)
    if (name == "xp_cond") return callCond(ce, out);
    if (name == "xp_map") return callMap(ce, out);
    bool handled = false;
    if (!callApi(name, ce, handled, out)) return false;
    if (handled) return true;
    if (!callSymHelper(name, ce, handled, out)) return false;  // capture_arith.cpp
    if (handled) return true;
    // 3. helpers defined here
    if (const FunctionDecl *def = fd->getDefinition(); def && def->hasBody()) {
        std::vector<Value> args;
        if (!evalArgs(ce, args)) return false;
        return callInline(def, ce, args, out);
    }
    // 4. constant math
    if (!callMath(name, ce, handled, out)) return false;
    if (handled) return true;
    // 5. nothing we can capture
    Report r = diag_.error(ce->getExprLoc(), DiagId::CallNotCapturable);
    r << name << ce->getSourceRange();
    if (sm_.isInSystemHeader(fd->getLocation()))
        r.note(ce->getExprLoc(), DiagId::NoteLibraryCall) << name;
    else
        r.note(ce->getExprLoc(), DiagId::NoteDefineOrCustomOp) << name;
    return false;
}

// ---- 1. ops ----

bool Interp::callOp(const xp_capi_fn *row, const CallExpr *ce, const std::vector<Value> &args, Value &out) {
    const char *fn = row->c_name;
    std::vector<xp_carg> cargs;
    std::deque<std::vector<xp_cref>> tensorLists;
    std::deque<std::vector<xp_dim>> intLists;
    struct Operand {
        xp_cref t;
        SourceLocation origin;
        std::string text;
    };
    std::vector<Operand> operands;

    auto argExpr = [&](int p) -> const Expr * { return p >= 0 && unsigned(p) < ce->getNumArgs() ? ce->getArg(p) : ce; };
    auto pname = [&](int p) -> std::string { return p >= 0 && p < row->nparams ? row->param_names[p] : "?"; };
    auto kindError = [&](int p, const char *want, const Value &v) {
        diag_.error(argExpr(p)->getExprLoc(), DiagId::OpArgKind)
            << pname(p) << fn << want << describeKind(v.kind) << argExpr(p)->getSourceRange();
        return false;
    };
    auto symbolicError = [&](int p, const Value &v) {
        Report r = diag_.error(argExpr(p)->getExprLoc(), DiagId::OpArgNotConstant);
        r << pname(p) << fn << dimText(v.i) << argExpr(p)->getSourceRange();
        noteDims(r, symbolsOf(v.i));
        return false;
    };
    auto param = [&](int p) -> const Value & {
        static const Value none;
        return p >= 0 && size_t(p) < args.size() ? args[size_t(p)] : none;
    };
    // An integer argument: `count` ones must be concrete.
    auto intArg = [&](int p, bool concrete, xp_dim &out) {
        const Value &v = param(p);
        if (!v.isIntLike()) return kindError(p, "an integer", v);
        if (concrete && xp_dim_is_sym(v.i)) return symbolicError(p, v);
        out = v.i;
        return true;
    };
    auto count = [&](int p, int64_t &n) {
        xp_dim d = 0;
        if (!intArg(p, true, d)) return false;
        if (d < 0 || d > int64_t(kMaxArrayElements))
            return unsupportedExpr(argExpr(p), "a count of " + std::to_string(d) + " elements");
        n = d;
        return true;
    };

    for (int k = 0; k < row->nargs; k++) {
        const xp_capi_arg &a = row->args[k];
        switch (a.kind) {
        case XP_CAPI_T: {
            const Value &v = param(a.param);
            if (v.kind == VK::Null) {
                cargs.push_back(xp_carg_none());
                break;
            }
            if (v.kind != VK::Tensor) return kindError(a.param, "a tensor", v);
            cargs.push_back(xp_carg_t(v.t));
            operands.push_back({v.t, v.origin, sourceText(argExpr(a.param))});
            break;
        }
        case XP_CAPI_TL: {
            int64_t n;
            if (!count(a.count_param, n)) return false;
            const Value &arr = param(a.param);
            std::vector<Value> elems;
            if (n > 0) {
                if (arr.kind != VK::Pointer) return kindError(a.param, "an array of tensors", arr);
                if (!readElements(arr, n, argExpr(a.param), elems)) return false;
            }
            std::vector<xp_cref> refs;
            for (size_t j = 0; j < elems.size(); j++) {
                if (elems[j].kind != VK::Tensor) return kindError(a.param, "an array of tensors", elems[j]);
                refs.push_back(elems[j].t);
                operands.push_back({elems[j].t, elems[j].origin,
                                    sourceText(argExpr(a.param)) + "[" + std::to_string(j) + "]"});
            }
            tensorLists.push_back(std::move(refs));
            cargs.push_back(xp_carg_tl(int(tensorLists.back().size()), tensorLists.back().data()));
            break;
        }
        case XP_CAPI_I: {
            xp_dim d = 0;
            if (!intArg(a.param, false, d)) return false;
            cargs.push_back(xp_carg_i(d));
            break;
        }
        case XP_CAPI_F: {
            const Value &v = param(a.param);
            if (v.kind == VK::Float) cargs.push_back(xp_carg_f(v.f));
            else if (v.isIntLike() && !xp_dim_is_sym(v.i)) cargs.push_back(xp_carg_f(double(v.i)));
            else if (v.isIntLike()) return symbolicError(a.param, v);
            else return kindError(a.param, "a number", v);
            break;
        }
        case XP_CAPI_B: {
            xp_dim d = 0;
            if (!intArg(a.param, true, d)) return false;
            cargs.push_back(xp_carg_b(d != 0));
            break;
        }
        case XP_CAPI_D: {
            xp_dim d = 0;
            if (!intArg(a.param, true, d)) return false;
            if (d < 0 || d >= XP_DTYPE_COUNT)
                return unsupportedExpr(argExpr(a.param), "the dtype value " + std::to_string(d));
            cargs.push_back(xp_carg_dt(xp_dtype(d)));
            break;
        }
        case XP_CAPI_L: {
            int64_t n;
            if (!count(a.count_param, n)) return false;
            const Value &arr = param(a.param);
            std::vector<Value> elems;
            if (n > 0) {
                if (arr.kind != VK::Pointer) return kindError(a.param, "an array of integers", arr);
                if (!readElements(arr, n, argExpr(a.param), elems)) return false;
            }
            std::vector<xp_dim> dims;
            for (const Value &e : elems) {
                if (!e.isIntLike()) return kindError(a.param, "an array of integers", e);
                dims.push_back(e.i);
            }
            intLists.push_back(std::move(dims));
            cargs.push_back(xp_carg_il(int(intLists.back().size()), intLists.back().data()));
            break;
        }
        case XP_CAPI_L1:
        case XP_CAPI_I2: {
            xp_dim d = 0;
            if (!intArg(a.param, false, d)) return false;
            intLists.push_back(a.kind == XP_CAPI_L1 ? std::vector<xp_dim>{d} : std::vector<xp_dim>{d, d});
            cargs.push_back(xp_carg_il(int(intLists.back().size()), intLists.back().data()));
            break;
        }
        case XP_CAPI_L2: {
            xp_dim d0 = 0, d1 = 0;
            if (!intArg(a.param, false, d0) || !intArg(a.param2, false, d1)) return false;
            intLists.push_back({d0, d1});
            cargs.push_back(xp_carg_il(2, intLists.back().data()));
            break;
        }
        case XP_CAPI_NONE:
            cargs.push_back(xp_carg_none());
            break;
        case XP_CAPI_FALSE:
        case XP_CAPI_TRUE:
            cargs.push_back(xp_carg_b(a.kind == XP_CAPI_TRUE));
            break;
        default:
            diag_.error(ce->getExprLoc(), DiagId::CaptureFailed)
                << std::string("internal: the C API row of '") + fn + "' has an argument kind the plugin does not know";
            return false;
        }
    }

    xp_cref result;
    xp_requirement stale;
    xp_symctx_take_requirement(prog_->syms, &stale);  // only this op's failure counts
    if (xp_capture_op(cap_, row->op, cargs.data(), int(cargs.size()), srcloc(ce->getBeginLoc()), &result) != XP_OK) {
        std::string message = xp_last_error();
        std::vector<DiagPart> shapes;
        std::vector<xp_cref> seen;
        for (const Operand &o : operands) {
            if (std::find(seen.begin(), seen.end(), o.t) != seen.end()) continue;
            seen.push_back(o.t);
            const xp_meta *m = xp_capture_meta(cap_, o.t);
            if (!m) continue;
            char buf[512];
            xp_meta_format(prog_, m, buf, sizeof buf);
            shapes.push_back({o.origin, DiagId::NoteOperandShape, {o.text, buf}, {}, {}});
        }
        // The relation the shape function could not prove: a declaration
        // may decide it (capture_fix.cpp restarts the capture with it).
        xp_requirement req;
        if (xp_symctx_take_requirement(prog_->syms, &req)) {
            FixSite site;
            site.kind = FixSite::Kind::Op;
            site.loc = ce->getExprLoc();
            site.range = ce->getSourceRange();
            site.message = message;
            site.shapes = shapes;
            std::vector<int> syms = symbolsOf(req.lhs);
            for (int sym : symbolsOf(req.rhs))
                if (std::find(syms.begin(), syms.end(), sym) == syms.end()) syms.push_back(sym);
            if (offerFix(std::move(site), &req, nullptr, syms)) return false;
        }
        Report r = diag_.error(ce->getExprLoc(), DiagId::OpFailed);
        r << message << ce->getSourceRange();
        for (const DiagPart &p : shapes) r.note(p.loc, p.id) << p.args[0] << p.args[1];
        return false;
    }
    out = Value::mkTensor(result, ce->getBeginLoc());
    return true;
}

// ---- 2. the rest of the tensor API ----

bool Interp::callApi(const std::string &name, const CallExpr *ce, bool &handled, Value &out) {
    handled = true;
    auto dataDependent = [&](DiagId id, DiagId note) {
        Report r = diag_.error(ce->getExprLoc(), id);
        r << name << ce->getSourceRange();
        r.note(ce->getExprLoc(), note);
        return false;
    };
    if (name == "xp_data") {
        // The analog of PyTorch's `.data`: raw storage, which a graph has not.
        Report r = diag_.error(ce->getExprLoc(), DiagId::TensorStorage);
        r << name
          << (ce->getNumArgs() > 0 ? "tensor '" + sourceText(ce->getArg(0)->IgnoreParenImpCasts()) + "'"
                                   : std::string("a tensor"))
          << ce->getSourceRange();
        r.note(ce->getExprLoc(), DiagId::NoteTensorStorage);
        return false;
    }
    if (name == "xp_item_f32" || name == "xp_item_f64" || name == "xp_item_i64" ||
        name == "xp_item_bool")
        return dataDependent(DiagId::DataDependent, DiagId::NoteDataDependent);
    if (name == "xp_tensor_from") return dataDependent(DiagId::HostData, DiagId::NoteHostData);
    if (name == "xp_stride" || name == "xp_is_contiguous" || name == "xp_shares_storage")
        return dataDependent(DiagId::LayoutQuery, DiagId::NoteLayoutQuery);

    bool known = name == "xp_size" || name == "xp_ndim" || name == "xp_numel" || name == "xp_dtype_of" ||
                 name == "xp_keep" || name == "xp_scope_push" || name == "xp_scope_pop" ||
                 name == "xp_tensor_free" || name == "xp_tensor_new";
    if (!known) {
        handled = false;
        return true;
    }
    std::vector<Value> args;
    if (!evalArgs(ce, args)) return false;
    const char *fn = name.c_str();

    if (name == "xp_tensor_new") {
        // xp_tensor_new(dtype, ndim, shape) is a zero-filled tensor: the same
        // C parameters, and so the same op row, as xp_zeros.
        const xp_capi_fn *zeros = xp_capi_find("xp_zeros");
        if (!zeros) return unsupportedExpr(ce, "'xp_tensor_new' (no 'xp_zeros' in the C API table)");
        return callOp(zeros, ce, args, out);
    }
    if (name == "xp_scope_push") {
        out.kind = VK::Opaque;  // arena scopes manage eager memory; a graph has none
        return true;
    }
    if (name == "xp_scope_pop" || name == "xp_tensor_free") return true;
    if (name == "xp_keep") {
        if (args.size() == 1 && args[0].kind == VK::Null) {
            out = args[0];
            return true;
        }
        xp_cref t;
        if (args.size() != 1 || !tensorArg(ce, 0, fn, args[0], t)) return false;
        out = args[0];
        return true;
    }
    xp_cref t;
    if (args.empty() || !tensorArg(ce, 0, fn, args[0], t)) return false;
    const xp_meta *m = xp_capture_meta(cap_, t);
    if (!m) {
        diag_.error(ce->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << ce->getSourceRange();
        return false;
    }
    if (name == "xp_ndim") {
        out = intOfType(m->ndim, ce->getType());
        return true;
    }
    if (name == "xp_dtype_of") {
        out = Value::mkDtype(m->dtype);
        return true;
    }
    if (name == "xp_numel") {
        xp_dim n = 1;
        for (int k = 0; k < m->ndim; k++) n = xp_dim_mul(prog_->syms, n, m->shape[k]);
        if (!xp_dim_is_valid(n)) {
            diag_.error(ce->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << ce->getSourceRange();
            return false;
        }
        out = Value::mkInt(n);
        return true;
    }
    // xp_size(t, d): negative d counts from the end
    if (args.size() != 2 || !args[1].isIntLike()) return unsupportedExpr(ce, "this call of 'xp_size'");
    if (xp_dim_is_sym(args[1].i)) {
        Report r = diag_.error(ce->getArg(1)->getExprLoc(), DiagId::OpArgNotConstant);
        r << paramName(ce, 1) << fn << dimText(args[1].i) << ce->getArg(1)->getSourceRange();
        noteDims(r, symbolsOf(args[1].i));
        return false;
    }
    int64_t d = args[1].i < 0 ? args[1].i + m->ndim : args[1].i;
    if (d < 0 || d >= m->ndim) {
        diag_.error(ce->getArg(1)->getExprLoc(), DiagId::SizeDimOutOfRange)
            << fn << std::to_string(args[1].i) << std::to_string(m->ndim) << ce->getArg(1)->getSourceRange();
        return false;
    }
    out = Value::mkInt(m->shape[d]);
    return true;
}

// ---- 3. inlined helpers ----

bool Interp::callInline(const FunctionDecl *def, const CallExpr *ce, std::vector<Value> &args, Value &out) {
    std::string name = def->getNameAsString();
    for (const Frame &f : frames_) {
        if (f.fn->getCanonicalDecl() == def->getCanonicalDecl()) {
            Report r = diag_.error(ce->getExprLoc(), DiagId::Recursion);
            r << name << ce->getSourceRange();
            r.note(def->getLocation(), DiagId::NoteRecursion);
            return false;
        }
    }
    if (def->isVariadic() || args.size() != def->getNumParams()) {
        diag_.error(ce->getExprLoc(), DiagId::VariadicCall) << name << ce->getSourceRange();
        return false;
    }
    Frame frame;
    frame.fn = def;
    for (unsigned k = 0; k < def->getNumParams(); k++) {
        const ParmVarDecl *pv = def->getParamDecl(k);
        auto cell = std::make_shared<Cell>();
        cell->var = pv;
        cell->v = std::move(args[k]);
        // Prototyped calls arrive converted; an unprototyped one does not.
        if (!convert(cell->v, pv->getType(), ce->getArg(k))) return false;
        frame.locals[pv] = cell;
    }
    diag_.pushCall(currentFn(), fileLoc(ce->getExprLoc()));
    frames_.push_back(std::move(frame));
    Flow f = exec(def->getBody());
    Frame done = std::move(frames_.back());
    frames_.pop_back();
    diag_.popCall();
    if (f == Flow::Error) return false;
    if (def->getReturnType()->isVoidType()) {
        out = Value();
        return true;
    }
    if (!done.returned) {
        diag_.error(ce->getExprLoc(), DiagId::NoReturnValue) << name << ce->getSourceRange();
        return false;
    }
    out = std::move(done.ret);
    return true;
}

// ---- 4. math on constants ----

namespace {
struct MathFn {
    const char *name;
    double (*d1)(double);
    double (*d2)(double, double);
    bool isFloat;  // the float variant: computed and rounded in float
};

// Calls the host's own functions, so a folded constant equals what the
// eager build computes on the same machine.
const MathFn kMath[] = {
    {"sqrt", [](double x) { return std::sqrt(x); }, nullptr, false},
    {"sqrtf", [](double x) { return double(std::sqrt(float(x))); }, nullptr, true},
    {"exp", [](double x) { return std::exp(x); }, nullptr, false},
    {"expf", [](double x) { return double(std::exp(float(x))); }, nullptr, true},
    {"exp2", [](double x) { return std::exp2(x); }, nullptr, false},
    {"exp2f", [](double x) { return double(std::exp2(float(x))); }, nullptr, true},
    {"log", [](double x) { return std::log(x); }, nullptr, false},
    {"logf", [](double x) { return double(std::log(float(x))); }, nullptr, true},
    {"log2", [](double x) { return std::log2(x); }, nullptr, false},
    {"log2f", [](double x) { return double(std::log2(float(x))); }, nullptr, true},
    {"fabs", [](double x) { return std::fabs(x); }, nullptr, false},
    {"fabsf", [](double x) { return double(std::fabs(float(x))); }, nullptr, true},
    {"sin", [](double x) { return std::sin(x); }, nullptr, false},
    {"sinf", [](double x) { return double(std::sin(float(x))); }, nullptr, true},
    {"cos", [](double x) { return std::cos(x); }, nullptr, false},
    {"cosf", [](double x) { return double(std::cos(float(x))); }, nullptr, true},
    {"tanh", [](double x) { return std::tanh(x); }, nullptr, false},
    {"tanhf", [](double x) { return double(std::tanh(float(x))); }, nullptr, true},
    {"erf", [](double x) { return std::erf(x); }, nullptr, false},
    {"erff", [](double x) { return double(std::erf(float(x))); }, nullptr, true},
    {"floor", [](double x) { return std::floor(x); }, nullptr, false},
    {"floorf", [](double x) { return double(std::floor(float(x))); }, nullptr, true},
    {"ceil", [](double x) { return std::ceil(x); }, nullptr, false},
    {"ceilf", [](double x) { return double(std::ceil(float(x))); }, nullptr, true},
    {"round", [](double x) { return std::round(x); }, nullptr, false},
    {"roundf", [](double x) { return double(std::round(float(x))); }, nullptr, true},
    {"pow", nullptr, [](double x, double y) { return std::pow(x, y); }, false},
    {"powf", nullptr, [](double x, double y) { return double(std::pow(float(x), float(y))); }, true},
    {"fmin", nullptr, [](double x, double y) { return std::fmin(x, y); }, false},
    {"fminf", nullptr, [](double x, double y) { return double(std::fmin(float(x), float(y))); }, true},
    {"fmax", nullptr, [](double x, double y) { return std::fmax(x, y); }, false},
    {"fmaxf", nullptr, [](double x, double y) { return double(std::fmax(float(x), float(y))); }, true},
};
}  // namespace

bool Interp::callMath(const std::string &rawName, const CallExpr *ce, bool &handled, Value &out) {
    std::string name = rawName;
    if (name.rfind("__builtin_", 0) == 0) name = name.substr(10);
    handled = false;
    const MathFn *fn = nullptr;
    for (const MathFn &m : kMath)
        if (name == m.name) fn = &m;
    bool intAbs = name == "abs" || name == "labs" || name == "llabs";
    bool expect = name == "expect";
    if (!fn && !intAbs && !expect) return true;
    handled = true;
    std::vector<Value> args;
    if (!evalArgs(ce, args)) return false;
    if (expect) {  // __builtin_expect(value, expected): the value
        if (args.empty()) return unsupportedExpr(ce, "this '__builtin_expect'");
        out = args[0];
        return true;
    }
    size_t want = intAbs || fn->d1 ? 1 : 2;
    if (args.size() != want) return unsupportedExpr(ce, "this call of '" + rawName + "'");
    for (size_t k = 0; k < args.size(); k++) {
        const Value &v = args[k];
        bool ok = intAbs ? v.isConcreteInt() : (v.kind == VK::Float || v.isConcreteInt());
        if (ok) continue;
        Report r = diag_.error(ce->getArg(unsigned(k))->getExprLoc(), DiagId::NotConstant);
        r << "the argument of '" + rawName + "'"
          << (v.isIntLike() ? "the size '" + dimText(v.i) + "'" : std::string(describeKind(v.kind)))
          << ce->getArg(unsigned(k))->getSourceRange();
        if (v.isIntLike()) noteDims(r, symbolsOf(v.i));
        return false;
    }
    if (intAbs) {
        if (args[0].i == INT64_MIN) return unsupportedExpr(ce, "'abs' of the most negative integer");
        out = intOfType(args[0].i < 0 ? -args[0].i : args[0].i, ce->getType());
        return true;
    }
    auto num = [](const Value &v) { return v.kind == VK::Float ? v.f : double(v.i); };
    double r = fn->d1 ? fn->d1(num(args[0])) : fn->d2(num(args[0]), num(args[1]));
    out = Value::mkFloat(fn->isFloat ? double(float(r)) : r);
    return true;
}

bool isCallSitePush(const Expr *e) {
    const auto *co = dyn_cast<ConditionalOperator>(e->IgnoreParenImpCasts());
    if (!co) return false;
    const auto *ref = dyn_cast<DeclRefExpr>(co->getCond()->IgnoreParenImpCasts());
    return ref && ref->getDecl()->getName() == "xp_trace_active_";
}

const Expr *withoutCallSite(const Expr *e) {
    if (!e) return e;
    e = e->IgnoreParenImpCasts();
    const auto *comma = dyn_cast<BinaryOperator>(e);
    if (!comma || comma->getOpcode() != BO_Comma || !isCallSitePush(comma->getLHS())) return e;
    const auto *done = dyn_cast<CallExpr>(comma->getRHS()->IgnoreParenImpCasts());
    const FunctionDecl *fd = done ? done->getDirectCallee() : nullptr;
    if (!fd || !fd->getName().starts_with("xp_at_done_") || done->getNumArgs() != 1) return e;
    return done->getArg(0)->IgnoreParenImpCasts();
}

}  // namespace xport::capture
