// C arithmetic on abstract values. Concrete integers follow C exactly
// (width, signedness, truncating division); sizes that depend on the dims
// go through the symbolic size arithmetic of runtime/sym (xp_dim_*), whose
// comparisons answer yes, no or "not decided by the declared ranges".
// Floating-point values follow C's types too: a `float` result is rounded
// to float after every operation, as the compiled code does.
#include "capture_interp.h"

#include <cmath>

namespace xport::capture {

using namespace clang;

// ---- types ----

bool Interp::isXpDtype(QualType t) const {
    if (const auto *et = t->getAs<EnumType>()) return et->getDecl()->getName() == "xp_dtype";
    return false;
}

bool Interp::isTensorPtr(QualType t) const {
    if (!t->isPointerType()) return false;
    const RecordDecl *rd = t->getPointeeType()->getAsRecordDecl();
    return rd && rd->getName() == "xp_tensor";
}

static bool isFloatType(QualType t) { return t->isSpecificBuiltinType(BuiltinType::Float); }

int64_t Interp::wrapToType(int64_t v, QualType t) {
    if (!t->isIntegralOrEnumerationType()) return v;
    unsigned w = ast_.getIntWidth(t);
    if (w >= 64) return v;
    uint64_t mask = (uint64_t(1) << w) - 1;
    uint64_t u = uint64_t(v) & mask;
    if (t->isUnsignedIntegerOrEnumerationType()) return int64_t(u);
    uint64_t sign = uint64_t(1) << (w - 1);
    return int64_t((u ^ sign) - sign);
}

Value Interp::intOfType(int64_t v, QualType t) {
    if (t->isBooleanType()) return Value::mkBool(v != 0);
    if (isXpDtype(t)) return Value::mkDtype(v);
    return Value::mkInt(wrapToType(v, t));
}

// ---- text for messages ----

std::string Interp::dimText(xp_dim d) const {
    char buf[256];
    xp_dim_format(prog_->syms, d, buf, sizeof buf);
    return buf;
}

std::string Interp::rangesText(const std::vector<int> &syms) const {
    std::string s;
    for (int sym : syms) {
        if (!s.empty()) s += ", ";
        int64_t hi = xp_sym_max(prog_->syms, sym);
        s += "'" + std::string(xp_sym_name(prog_->syms, sym)) + "' in [" +
             std::to_string(xp_sym_min(prog_->syms, sym)) + ", " +
             (hi >= XP_SYM_MAX_DEFAULT ? std::string("inf") : std::to_string(hi)) + "]";
    }
    return s.empty() ? std::string("it depends on no declared dim") : s;
}

void Interp::noteDims(Report &r, const std::vector<int> &syms) {
    for (int sym : syms) {
        auto it = dimPragmas_.find(sym);
        if (it == dimPragmas_.end()) continue;
        r.note(it->second->locAt(it->second->parsed.name_offset), DiagId::NoteDimDeclaredHere)
            << xp_sym_name(prog_->syms, sym);
    }
}

// ---- conversions ----

bool Interp::toBool(Value &v, const Expr *at) {
    switch (v.kind) {
    case VK::Int:
    case VK::Bool:
    case VK::Dtype:
        if (!xp_dim_is_sym(v.i)) {
            v = Value::mkBool(v.i != 0);
            return true;
        }
        switch (xp_dim_eq(prog_->syms, v.i, 0)) {
        case XP_YES:
            recordDecision(at, false, v.i, 0, dimText(v.i) + " != 0");
            v = Value::mkBool(false);
            return true;
        case XP_NO:
            recordDecision(at, true, v.i, 0, dimText(v.i) + " != 0");
            v = Value::mkBool(true);
            return true;
        case XP_UNKNOWN: {
            Value u;
            u.kind = VK::Undecided;
            u.text = dimText(v.i) + " != 0";
            u.syms = symbolsOf(v.i);
            // A size that cannot be negative is non-zero exactly when it is at least 1.
            int64_t lo, hi;
            xp_dim_range(prog_->syms, v.i, &lo, &hi);
            u.relLoc = at->getExprLoc();
            u.hasWhenTrue = lo >= 0;
            u.whenTrue = xp_requirement{XP_REL_LE, 1, v.i};
            u.hasWhenFalse = true;
            u.whenFalse = xp_requirement{XP_REL_EQ, v.i, 0};
            v = u;
            return true;
        }
        }
        return true;
    case VK::Float:
        v = Value::mkBool(v.f != 0);
        return true;
    case VK::Tensor:
    case VK::Pointer:
    case VK::Function:
    case VK::Opaque:
        v = Value::mkBool(true);  // a valid pointer is never null
        return true;
    case VK::Null:
        v = Value::mkBool(false);
        return true;
    case VK::Undecided:
        return true;
    case VK::Undef:
        return unsupportedExpr(at, "a value that was never assigned");
    default:
        return unsupportedExpr(at, std::string("testing ") + describeKind(v.kind) + " for truth");
    }
}

// C converts a size to a narrower or unsigned type modulo 2^width; the
// graph keeps the size. They agree only when the type holds every value in
// the declared ranges, so anything else would silently change a dynamic
// size: an error. A type of 32 bits or more is taken to hold every size
// from above (an undeclared maximum means "any size the program meets", and
// C code keeps sizes in 'int'); a negative value in an unsigned type never.
bool Interp::symbolicFits(xp_dim d, QualType to, const Expr *at) {
    if (to->isBooleanType() || !to->isIntegralOrEnumerationType()) return true;
    unsigned width = ast_.getIntWidth(to);
    bool uns = to->isUnsignedIntegerOrEnumerationType();
    int64_t lo, hi;
    xp_dim_range(prog_->syms, d, &lo, &hi);
    int64_t tmin = 0, tmax = INT64_MAX;
    if (width < 64) {
        tmax = uns ? int64_t((uint64_t(1) << width) - 1) : int64_t((uint64_t(1) << (width - 1)) - 1);
        tmin = uns ? 0 : -tmax - 1;
    } else if (!uns) {
        tmin = INT64_MIN;
    }
    bool fits = lo >= tmin && (width >= 32 || hi <= tmax);
    if (fits) return true;
    auto bound = [](int64_t b) {
        return b >= XP_SYM_MAX_DEFAULT ? std::string("inf") : b <= -XP_SYM_MAX_DEFAULT ? std::string("-inf") : std::to_string(b);
    };
    Report r = diag_.error(at->getExprLoc(), DiagId::SymbolicNarrowing);
    r << dimText(d) << ("'" + to.getAsString() + "'") << bound(lo) << bound(hi) << at->getSourceRange();
    r.note(at->getExprLoc(), DiagId::NoteSymbolicNarrowing);
    noteDims(r, symbolsOf(d));
    return false;
}

bool Interp::convert(Value &v, QualType to, const Expr *at) {
    to = to.getCanonicalType().getUnqualifiedType();
    if (to->isVoidType()) {
        v = Value();
        return true;
    }
    if (v.kind == VK::Undecided) {
        if (to->isIntegralOrEnumerationType()) return true;
        reportUndecided(v, at, "condition", DiagId::NoteNarrowRangeIf);
        return false;
    }
    if (v.kind == VK::Undef) return unsupportedExpr(at, "a value that was never assigned");
    if (to->isBooleanType()) {
        if (!toBool(v, at)) return false;
        return true;
    }
    if (to->isIntegralOrEnumerationType()) {
        switch (v.kind) {
        case VK::Int:
        case VK::Bool:
        case VK::Dtype:
            if (xp_dim_is_sym(v.i)) {
                // A size stays a size in any integer type that holds it.
                if (!symbolicFits(v.i, to, at)) return false;
                v.kind = VK::Int;
                return true;
            }
            v = intOfType(v.i, to);
            return true;
        case VK::Float: {
            double f = std::trunc(v.f);
            if (!std::isfinite(f) || f < -9.2e18 || f > 9.2e18) {
                diag_.error(at->getExprLoc(), DiagId::IntegerOverflow) << sourceText(at) << at->getSourceRange();
                return false;
            }
            v = intOfType(int64_t(f), to);
            return true;
        }
        case VK::Null:
            v = intOfType(0, to);
            return true;
        case VK::Tensor: {
            const Expr *operand = at;
            if (const auto *ce = dyn_cast<CastExpr>(at)) operand = ce->getSubExpr()->IgnoreParenImpCasts();
            Report r = diag_.error(at->getExprLoc(), DiagId::PointerToInteger);
            r << "tensor '" + sourceText(operand) + "'" << at->getSourceRange();
            r.note(at->getExprLoc(), DiagId::NoteTensorIdentity);
            return false;
        }
        default:
            diag_.error(at->getExprLoc(), DiagId::PointerToInteger) << describeKind(v.kind) << at->getSourceRange();
            return false;
        }
    }
    if (to->isRealFloatingType()) {
        switch (v.kind) {
        case VK::Int:
        case VK::Bool:
        case VK::Dtype:
            if (xp_dim_is_sym(v.i)) {
                Report r = diag_.error(at->getExprLoc(), DiagId::SymbolicToFloat);
                r << dimText(v.i) << at->getSourceRange();
                r.note(at->getExprLoc(), DiagId::NoteSymbolicToFloat);
                noteDims(r, symbolsOf(v.i));
                return false;
            }
            v = Value::mkFloat(double(v.i));
            break;
        case VK::Float:
            break;
        default:
            return unsupportedExpr(at,
                                   std::string("converting ") + describeKind(v.kind) + " to a floating-point value");
        }
        if (isFloatType(to)) v.f = double(float(v.f));
        return true;
    }
    if (to->isPointerType()) {
        switch (v.kind) {
        case VK::Int:
        case VK::Bool:
            if (!xp_dim_is_sym(v.i) && v.i == 0) {
                v = Value::mkNull();
                return true;
            }
            return unsupportedExpr(at, "converting an integer to a pointer");
        case VK::Tensor:
        case VK::Null:
        case VK::Function:
        case VK::Opaque:
            return true;
        case VK::Pointer: {
            // Pointers may pass through `void *` and gain or lose qualifiers;
            // reinterpreting an object as another type cannot be modelled.
            QualType from = v.target.type.getCanonicalType().getUnqualifiedType();
            QualType pt = to->getPointeeType().getCanonicalType().getUnqualifiedType();
            if (pt->isVoidType() || from->isVoidType() || pt == from) return true;
            return unsupportedExpr(at, "a pointer cast from '" + v.target.type.getAsString() + " *' to '" +
                                           to.getAsString() + "'");
        }
        default:
            return unsupportedExpr(at, std::string("converting ") + describeKind(v.kind) + " to a pointer");
        }
    }
    if (to->isRecordType() || to->isArrayType()) return true;
    return unsupportedExpr(at, "a conversion to '" + to.getAsString() + "'");
}

// ---- arithmetic ----

bool Interp::arith(BinaryOperatorKind op, const Value &a, const Value &b, QualType type, const Expr *at,
                   Value &out) {
    for (const Value *v : {&a, &b}) {
        if (v->kind == VK::Undecided) {
            reportUndecided(*v, at, "condition", DiagId::NoteNarrowRangeIf);
            return false;
        }
        if (v->kind == VK::Undef) return unsupportedExpr(at, "arithmetic on a value that was never assigned");
    }
    if (a.isPointerLike() || b.isPointerLike()) return pointerArith(op, a, b, at, out);
    if (type->isRealFloatingType()) {
        Value x = a, y = b;
        if (!convert(x, type, at) || !convert(y, type, at)) return false;
        double r;
        switch (op) {
        case BO_Add: r = x.f + y.f; break;
        case BO_Sub: r = x.f - y.f; break;
        case BO_Mul: r = x.f * y.f; break;
        case BO_Div: r = x.f / y.f; break;
        default: return unsupportedExpr(at, "this floating-point operator");
        }
        if (isFloatType(type)) r = double(float(r));
        out = Value::mkFloat(r);
        return true;
    }
    if (!a.isIntLike() || !b.isIntLike())
        return unsupportedExpr(at, std::string("arithmetic on ") + describeKind(a.isIntLike() ? b.kind : a.kind));
    return intArith(op, a, b, type, at, out);
}

static const char *opText(BinaryOperatorKind op) { return BinaryOperator::getOpcodeStr(op).data(); }

bool Interp::intArith(BinaryOperatorKind op, const Value &a, const Value &b, QualType type, const Expr *at,
                      Value &out) {
    bool uns = type->isUnsignedIntegerOrEnumerationType();
    auto overflow = [&] {
        diag_.error(at->getExprLoc(), DiagId::IntegerOverflow) << sourceText(at) << at->getSourceRange();
        return false;
    };
    auto divZero = [&] {
        diag_.error(at->getExprLoc(), DiagId::DivisionByZero) << at->getSourceRange();
        return false;
    };
    if (!xp_dim_is_sym(a.i) && !xp_dim_is_sym(b.i)) {
        int64_t x = a.i, y = b.i, r = 0;
        uint64_t ux = uint64_t(x), uy = uint64_t(y);
        switch (op) {
        case BO_Add:
            if (uns) r = int64_t(ux + uy);
            else if (__builtin_add_overflow(x, y, &r)) return overflow();
            break;
        case BO_Sub:
            if (uns) r = int64_t(ux - uy);
            else if (__builtin_sub_overflow(x, y, &r)) return overflow();
            break;
        case BO_Mul:
            if (uns) r = int64_t(ux * uy);
            else if (__builtin_mul_overflow(x, y, &r)) return overflow();
            break;
        case BO_Div:
        case BO_Rem:
            if (y == 0) return divZero();
            if (uns) {
                r = int64_t(op == BO_Div ? ux / uy : ux % uy);
            } else {
                if (x == INT64_MIN && y == -1) return overflow();
                r = op == BO_Div ? x / y : x % y;
            }
            break;
        case BO_Shl:
        case BO_Shr:
            if (y < 0 || y >= 64) return overflow();
            r = op == BO_Shl ? int64_t(ux << y) : (uns ? int64_t(ux >> y) : x >> y);
            break;
        case BO_And: r = x & y; break;
        case BO_Or: r = x | y; break;
        case BO_Xor: r = x ^ y; break;
        default: return unsupportedExpr(at, std::string("the operator '") + opText(op) + "'");
        }
        out = intOfType(r, type);
        if (out.isIntLike() && xp_dim_is_sym(out.i)) return overflow();
        return true;
    }
    // A size that depends on the dims.
    xp_symctx *sc = prog_->syms;
    auto nonNegative = [&](xp_dim d) {
        int64_t lo, hi;
        xp_dim_range(sc, d, &lo, &hi);
        return lo >= 0;
    };
    auto needConstant = [&](const Value &sym) {
        Report r = diag_.error(at->getExprLoc(), DiagId::NotConstant);
        r << std::string("the operand of '") + opText(op) + "'" << "the size '" + dimText(sym.i) + "'"
          << at->getSourceRange();
        noteDims(r, symbolsOf(sym.i));
        return false;
    };
    xp_dim r = XP_DIM_INVALID;
    switch (op) {
    case BO_Add: r = xp_dim_add(sc, a.i, b.i); break;
    case BO_Sub: r = xp_dim_sub(sc, a.i, b.i); break;
    case BO_Mul: r = xp_dim_mul(sc, a.i, b.i); break;
    case BO_Div:
    case BO_Rem: {
        if (xp_dim_is_sym(b.i)) {
            if (op == BO_Div && nonNegative(a.i)) {
                r = xp_dim_div_exact(sc, a.i, b.i);  // exact: truncation and flooring agree
                if (xp_dim_is_valid(r)) break;
                xp_clear_error();
            }
            Report rep = diag_.error(at->getExprLoc(), DiagId::SymbolicDivisor);
            rep << dimText(b.i) << at->getSourceRange();
            rep.note(at->getExprLoc(), DiagId::NoteSymbolicDivisor);
            return false;
        }
        int64_t c = b.i;
        if (c == 0) return divZero();
        if (!nonNegative(a.i)) {
            diag_.error(at->getExprLoc(), DiagId::MaybeNegativeDivision) << dimText(a.i) << sourceText(at)
                                                                        << at->getSourceRange();
            return false;
        }
        if (c == INT64_MIN) return overflow();
        int64_t m = c < 0 ? -c : c;
        if (op == BO_Div) {
            r = xp_dim_floordiv(sc, a.i, m);
            if (c < 0 && xp_dim_is_valid(r)) r = xp_dim_sub(sc, 0, r);
        } else {
            r = xp_dim_mod(sc, a.i, m);  // C: the sign follows the dividend (here >= 0)
        }
        break;
    }
    case BO_Shl:
    case BO_Shr:
        if (xp_dim_is_sym(b.i)) return needConstant(b);
        if (b.i < 0 || b.i >= 62) return overflow();
        if (op == BO_Shl) {
            r = xp_dim_mul(sc, a.i, int64_t(1) << b.i);
        } else {
            if (!nonNegative(a.i)) return needConstant(a);
            r = xp_dim_floordiv(sc, a.i, int64_t(1) << b.i);
        }
        break;
    default:
        return needConstant(xp_dim_is_sym(a.i) ? a : b);
    }
    if (!xp_dim_is_valid(r)) {
        diag_.error(at->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << at->getSourceRange();
        return false;
    }
    out = Value::mkInt(r);
    return true;
}

// Structural equality of two object designators.
static bool sameObject(const LValue &a, const LValue &b, bool ignoreLastIndex) {
    if (a.root != b.root || a.cell != b.cell || a.global != b.global || a.model != b.model) return false;
    if (a.path.size() != b.path.size()) return false;
    for (size_t k = 0; k < a.path.size(); k++) {
        if (a.path[k].field != b.path[k].field) return false;
        if (ignoreLastIndex && k + 1 == a.path.size()) continue;
        if (!a.path[k].field && a.path[k].index != b.path[k].index) return false;
    }
    return true;
}

bool Interp::pointerArith(BinaryOperatorKind op, const Value &a, const Value &b, const Expr *at, Value &out) {
    const Value *p = &a, *n = &b;
    if (b.kind == VK::Pointer && a.isIntLike() && op == BO_Add) std::swap(p, n);
    if (p->kind == VK::Pointer && n->isIntLike() && (op == BO_Add || op == BO_Sub)) {
        if (xp_dim_is_sym(n->i)) {
            Report r = diag_.error(at->getExprLoc(), DiagId::IndexNotConstant);
            r << sourceText(at) << at->getSourceRange();
            noteDims(r, symbolsOf(n->i));
            return false;
        }
        int64_t k = op == BO_Add ? n->i : -n->i;
        if (k == 0) {
            out = *p;
            return true;
        }
        if (!p->intoArray()) {
            diag_.error(at->getExprLoc(), DiagId::BadPointerArith)
                << "arithmetic on a pointer to a single object" << at->getSourceRange();
            return false;
        }
        out = *p;
        PathElem &e = out.target.path.back();
        int64_t idx = e.index + k;
        if (idx < 0 || (e.bound >= 0 && idx > e.bound)) {
            diag_.error(at->getExprLoc(), DiagId::IndexOutOfRange)
                << std::to_string(idx) << lvalueName(out.target) << std::to_string(e.bound) << at->getSourceRange();
            return false;
        }
        e.index = idx;
        return true;
    }
    if (op == BO_Sub && a.kind == VK::Pointer && b.kind == VK::Pointer && a.intoArray() && b.intoArray() &&
        sameObject(a.target, b.target, true)) {
        out = Value::mkInt(a.target.path.back().index - b.target.path.back().index);
        return true;
    }
    std::string what = a.kind == VK::Tensor || b.kind == VK::Tensor ? "arithmetic on a tensor pointer"
                                                                   : "this pointer arithmetic";
    diag_.error(at->getExprLoc(), DiagId::BadPointerArith) << what << at->getSourceRange();
    return false;
}

// ---- comparisons ----

bool Interp::compare(BinaryOperatorKind op, const Value &a, const Value &b, QualType operandType, const Expr *at,
                     Value &out) {
    QualType intTy = at->getType();
    for (const Value *v : {&a, &b}) {
        if (v->kind == VK::Undecided) {
            reportUndecided(*v, at, "condition", DiagId::NoteNarrowRangeIf);
            return false;
        }
        if (v->kind == VK::Undef) return unsupportedExpr(at, "comparing a value that was never assigned");
    }
    if (a.isPointerLike() || b.isPointerLike()) {
        bool eq;
        if (a.kind != b.kind) {
            // Distinct kinds of pointer are never equal, except nothing is NULL but NULL.
            eq = false;
            if (!(a.kind == VK::Null || b.kind == VK::Null) || op == BO_LT || op == BO_GT || op == BO_LE ||
                op == BO_GE)
                return unsupportedExpr(at, "this pointer comparison");
        } else if (a.kind == VK::Tensor) {
            eq = a.t == b.t;  // each op returns a new tensor; in-place ops return their argument
        } else if (a.kind == VK::Null) {
            eq = true;
        } else if (a.kind == VK::Function) {
            eq = a.fn == b.fn;
        } else if (a.kind == VK::Pointer) {
            if (op != BO_EQ && op != BO_NE) {
                if (!a.intoArray() || !b.intoArray() || !sameObject(a.target, b.target, true))
                    return unsupportedExpr(at, "comparing pointers into different objects");
                int64_t x = a.target.path.back().index, y = b.target.path.back().index;
                bool r = op == BO_LT ? x < y : op == BO_GT ? x > y : op == BO_LE ? x <= y : x >= y;
                out = intOfType(r, intTy);
                return true;
            }
            eq = sameObject(a.target, b.target, false);
        } else {
            return unsupportedExpr(at, "this pointer comparison");
        }
        if (op != BO_EQ && op != BO_NE) return unsupportedExpr(at, "ordering pointers");
        out = intOfType(op == BO_EQ ? eq : !eq, intTy);
        return true;
    }
    if (operandType->isRealFloatingType() || a.kind == VK::Float || b.kind == VK::Float) {
        Value x = a, y = b;
        if (!convert(x, ast_.DoubleTy, at) || !convert(y, ast_.DoubleTy, at)) return false;
        bool r;
        switch (op) {
        case BO_LT: r = x.f < y.f; break;
        case BO_GT: r = x.f > y.f; break;
        case BO_LE: r = x.f <= y.f; break;
        case BO_GE: r = x.f >= y.f; break;
        case BO_EQ: r = x.f == y.f; break;
        default: r = x.f != y.f; break;
        }
        out = intOfType(r, intTy);
        return true;
    }
    if (!a.isIntLike() || !b.isIntLike()) return unsupportedExpr(at, "this comparison");
    if (!xp_dim_is_sym(a.i) && !xp_dim_is_sym(b.i)) {
        bool r;
        if (operandType->isUnsignedIntegerOrEnumerationType()) {
            uint64_t x = uint64_t(a.i), y = uint64_t(b.i);
            r = op == BO_LT ? x < y : op == BO_GT ? x > y : op == BO_LE ? x <= y : op == BO_GE ? x >= y
                : op == BO_EQ ? x == y : x != y;
        } else {
            int64_t x = a.i, y = b.i;
            r = op == BO_LT ? x < y : op == BO_GT ? x > y : op == BO_LE ? x <= y : op == BO_GE ? x >= y
                : op == BO_EQ ? x == y : x != y;
        }
        out = intOfType(r, intTy);
        return true;
    }
    xp_symctx *sc = prog_->syms;
    xp_tri t;
    switch (op) {
    case BO_LT: t = xp_dim_lt(sc, a.i, b.i); break;
    case BO_GT: t = xp_dim_lt(sc, b.i, a.i); break;
    case BO_LE: t = xp_dim_le(sc, a.i, b.i); break;
    case BO_GE: t = xp_dim_le(sc, b.i, a.i); break;
    case BO_EQ: t = xp_dim_eq(sc, a.i, b.i); break;
    default:
        t = xp_dim_eq(sc, a.i, b.i);
        if (t != XP_UNKNOWN) t = t == XP_YES ? XP_NO : XP_YES;
        break;
    }
    std::string relation = dimText(a.i) + " " + opText(op) + " " + dimText(b.i);
    if (t != XP_UNKNOWN) {
        recordDecision(at, t == XP_YES, a.i, b.i, relation);
        out = intOfType(t == XP_YES, intTy);
        return true;
    }
    out = Value();
    out.kind = VK::Undecided;
    out.text = relation;
    out.syms = symbolsOf(a.i);
    for (int s : symbolsOf(b.i))
        if (std::find(out.syms.begin(), out.syms.end(), s) == out.syms.end()) out.syms.push_back(s);
    // The relations that decide it either way, for the suggested fixes
    // (`!=` can be made false, not true, by a declaration).
    auto rel = [](xp_rel r, xp_dim l, xp_dim h) { return xp_requirement{r, l, h}; };
    out.relLoc = at->getExprLoc();
    out.hasWhenTrue = op != BO_NE;
    out.hasWhenFalse = op != BO_EQ;
    switch (op) {
    case BO_LT: out.whenTrue = rel(XP_REL_LT, a.i, b.i); out.whenFalse = rel(XP_REL_LE, b.i, a.i); break;
    case BO_GT: out.whenTrue = rel(XP_REL_LT, b.i, a.i); out.whenFalse = rel(XP_REL_LE, a.i, b.i); break;
    case BO_LE: out.whenTrue = rel(XP_REL_LE, a.i, b.i); out.whenFalse = rel(XP_REL_LT, b.i, a.i); break;
    case BO_GE: out.whenTrue = rel(XP_REL_LE, b.i, a.i); out.whenFalse = rel(XP_REL_LT, a.i, b.i); break;
    case BO_EQ: out.whenTrue = rel(XP_REL_EQ, a.i, b.i); break;
    default: out.whenFalse = rel(XP_REL_EQ, a.i, b.i); break;
    }
    return true;
}

// ---- the size helpers of xport.h ----

// xp_sym_add(a, b) is `a + b`, xp_sym_lt(a, b) is `a < b`, and so on: the
// operators' own arithmetic and comparisons, so a helper gives the same
// size expression, the same range decision (a specialization) and the same
// undecided-condition error with its suggested fix. Division is the one
// difference: xp_sym_div floors (its eager definition, and the tracer's)
// where C's '/' truncates. They agree where '/' captures a size (one that
// cannot be negative, divided by a positive constant or exactly by a size);
// by a negative constant they do not, so that is an error.
bool Interp::callSymHelper(const std::string &name, const CallExpr *ce, bool &handled, Value &out) {
    static const struct {
        const char *name;
        BinaryOperatorKind op;
    } kHelpers[] = {
        {"xp_sym_add", BO_Add}, {"xp_sym_sub", BO_Sub}, {"xp_sym_mul", BO_Mul}, {"xp_sym_div", BO_Div},
        {"xp_sym_eq", BO_EQ},   {"xp_sym_ne", BO_NE},   {"xp_sym_lt", BO_LT},   {"xp_sym_le", BO_LE},
        {"xp_sym_gt", BO_GT},   {"xp_sym_ge", BO_GE},
    };
    handled = false;
    BinaryOperatorKind op = BO_Comma;
    for (const auto &h : kHelpers)
        if (name == h.name) op = h.op, handled = true;
    if (!handled) return true;
    std::vector<Value> args;
    if (!evalArgs(ce, args)) return false;
    if (args.size() != 2) return unsupportedExpr(ce, "this call of '" + name + "'");
    const Value &a = args[0], &b = args[1];
    if (BinaryOperator::isComparisonOp(op)) return compare(op, a, b, ce->getArg(0)->getType(), ce, out);
    if (op == BO_Div && a.isIntLike() && b.isIntLike() && xp_dim_is_sym(a.i) && !xp_dim_is_sym(b.i) && b.i < 0)
        return unsupportedExpr(ce, "'xp_sym_div' of the size '" + dimText(a.i) + "' by the negative constant " +
                                       std::to_string(b.i));
    if (!arith(op, a, b, ce->getType(), ce, out)) return false;
    // Constants: floor where C truncates (the quotient of operands of
    // different signs that does not divide exactly).
    if (op == BO_Div && a.isConcreteInt() && b.isConcreteInt() && a.i % b.i != 0 && (a.i < 0) != (b.i < 0))
        out.i -= 1;
    return true;
}

}  // namespace xport::capture
