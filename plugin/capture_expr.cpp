// Expressions: constant folding through Clang's evaluator first, then the
// operators, casts, member accesses and subscripts of C over abstract values.
#include "capture_interp.h"

#include "clang/AST/Expr.h"

namespace xport::capture {

using namespace clang;

bool Interp::unsupportedExpr(const Expr *e, const std::string &what) {
    diag_.error(e->getExprLoc(), DiagId::UnsupportedExpr) << what << e->getSourceRange();
    return false;
}

// Integer and floating expressions that are constants in C (literals,
// enum constants, sizeof, `const` globals, #define'd arithmetic) fold with
// Clang's own evaluator, so the capture agrees with the compiler exactly.
bool Interp::tryFold(const Expr *e, Value &out, bool &folded) {
    folded = false;
    QualType t = e->getType();
    if (t->isIntegralOrEnumerationType()) {
        Expr::EvalResult r;
        if (!e->EvaluateAsInt(r, ast_) || !r.Val.isInt()) return true;
        const llvm::APSInt &v = r.Val.getInt();
        if (v.isSigned() ? v.getSignificantBits() > 64 : v.getActiveBits() > 64) return true;
        int64_t x = v.isSigned() ? v.getSExtValue() : (int64_t)v.getZExtValue();
        if (x < XP_DIM_SYM_LIMIT) {
            diag_.error(e->getExprLoc(), DiagId::IntegerOverflow) << sourceText(e) << e->getSourceRange();
            return false;
        }
        out = intOfType(x, t);
        folded = true;
    } else if (t->isRealFloatingType()) {
        llvm::APFloat f(0.0);
        if (!e->EvaluateAsFloat(f, ast_)) return true;
        bool loses = false;
        f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &loses);
        out = Value::mkFloat(f.convertToDouble());
        folded = true;
    }
    return true;
}

bool Interp::eval(const Expr *e, Value &out) {
    if (e->containsErrors()) {  // Clang has reported it already
        diag_.markFailed();
        return false;
    }
    if (e->isPRValue()) {
        bool folded;
        if (!tryFold(e, out, folded)) return false;
        if (folded) return true;
    } else {
        // An object: read it (an array decays, as in C).
        LValue lv;
        if (!evalLValue(e, lv)) return false;
        if (lv.type->isArrayType()) return decayArray(lv, e, out);
        return load(lv, e, out);
    }
    switch (e->getStmtClass()) {
    case Stmt::ParenExprClass:
        return eval(cast<ParenExpr>(e)->getSubExpr(), out);
    case Stmt::ConstantExprClass:
    case Stmt::ExprWithCleanupsClass:
        return eval(cast<FullExpr>(e)->getSubExpr(), out);
    case Stmt::ImplicitCastExprClass:
    case Stmt::CStyleCastExprClass:
        return evalCast(cast<CastExpr>(e), out);
    case Stmt::UnaryOperatorClass:
        return evalUnary(cast<UnaryOperator>(e), out);
    case Stmt::BinaryOperatorClass:
    case Stmt::CompoundAssignOperatorClass:
        return evalBinary(cast<BinaryOperator>(e), out);
    case Stmt::ConditionalOperatorClass:
    case Stmt::BinaryConditionalOperatorClass:
        return evalConditional(cast<AbstractConditionalOperator>(e), out);
    case Stmt::CallExprClass:
        return evalCall(cast<CallExpr>(e), out);
    case Stmt::InitListExprClass:
        return initValue(e->getType(), e, out);
    case Stmt::ImplicitValueInitExprClass:
        return defaultValue(e->getType(), true, e->getExprLoc(), out);
    case Stmt::StmtExprClass:
        return evalStmtExpr(cast<StmtExpr>(e), out);
    case Stmt::GenericSelectionExprClass: {
        const Expr *chosen = cast<GenericSelectionExpr>(e)->getResultExpr();
        if (!chosen) return unsupportedExpr(e, "this '_Generic' selection");
        return eval(chosen, out);
    }
    case Stmt::ChooseExprClass:
        return eval(cast<ChooseExpr>(e)->getChosenSubExpr(), out);
    case Stmt::IntegerLiteralClass:
        // Too wide to fold (e.g. an __int128 literal).
        return unsupportedExpr(e, "this integer literal");
    case Stmt::StringLiteralClass:
        return unsupportedExpr(e, "a string literal");
    case Stmt::UnaryExprOrTypeTraitExprClass:
        return unsupportedExpr(e, "'sizeof' of a variable-length array");
    default:
        return unsupportedExpr(e, std::string("expression '") + e->getStmtClassName() + "'");
    }
}

bool Interp::evalLValue(const Expr *e, LValue &out) {
    if (e->containsErrors()) {
        diag_.markFailed();
        return false;
    }
    switch (e->getStmtClass()) {
    case Stmt::ParenExprClass:
        return evalLValue(cast<ParenExpr>(e)->getSubExpr(), out);
    case Stmt::ImplicitCastExprClass:
    case Stmt::CStyleCastExprClass: {
        const auto *ce = cast<CastExpr>(e);
        if (ce->getCastKind() == CK_NoOp || ce->getCastKind() == CK_LValueBitCast) {
            if (!evalLValue(ce->getSubExpr(), out)) return false;
            out.type = e->getType();
            return true;
        }
        break;
    }
    case Stmt::DeclRefExprClass: {
        const ValueDecl *d = cast<DeclRefExpr>(e)->getDecl();
        const auto *vd = dyn_cast<VarDecl>(d);
        if (!vd) break;
        if (auto cell = lookupLocal(vd)) {
            out = LValue();
            out.root = Root::Local;
            out.cell = cell;
            out.type = vd->getType();
            return true;
        }
        if (vd->hasGlobalStorage()) {
            out = LValue();
            out.root = Root::Global;
            out.global = vd;
            out.type = vd->getType();
            return true;
        }
        break;
    }
    case Stmt::MemberExprClass:
        return evalMemberLValue(cast<MemberExpr>(e), out);
    case Stmt::ArraySubscriptExprClass: {
        const auto *ae = cast<ArraySubscriptExpr>(e);
        Value base, idx;
        if (!eval(ae->getBase(), base) || !eval(ae->getIdx(), idx)) return false;
        if (!idx.isIntLike()) return unsupportedExpr(ae->getIdx(), "this array index");
        if (xp_dim_is_sym(idx.i)) {
            Report r = diag_.error(ae->getIdx()->getExprLoc(), DiagId::IndexNotConstant);
            r << sourceText(ae->getIdx()) << ae->getIdx()->getSourceRange();
            noteDims(r, symbolsOf(idx.i));
            return false;
        }
        if (!pointee(base, idx.i, ae, out)) return false;
        out.type = e->getType();
        return true;
    }
    case Stmt::UnaryOperatorClass: {
        const auto *uo = cast<UnaryOperator>(e);
        if (uo->getOpcode() == UO_Deref) {
            Value p;
            if (!eval(uo->getSubExpr(), p)) return false;
            if (!pointee(p, 0, uo, out)) return false;
            out.type = e->getType();
            return true;
        }
        if (uo->getOpcode() == UO_Extension) return evalLValue(uo->getSubExpr(), out);
        break;
    }
    case Stmt::CompoundLiteralExprClass: {
        const auto *cl = cast<CompoundLiteralExpr>(e);
        auto cell = std::make_shared<Cell>();
        if (!initValue(cl->getType(), cl->getInitializer(), cell->v)) return false;
        out = LValue();
        out.root = Root::Local;
        out.cell = cell;
        out.type = cl->getType();
        return true;
    }
    case Stmt::StringLiteralClass:
        return unsupportedExpr(e, "a string literal");
    default:
        break;
    }
    if (e->isPRValue() && e->getType()->isRecordType()) {
        // A struct rvalue used as an object (`make().field`): materialize it.
        auto cell = std::make_shared<Cell>();
        if (!eval(e, cell->v)) return false;
        out = LValue();
        out.root = Root::Local;
        out.cell = cell;
        out.type = e->getType();
        return true;
    }
    return unsupportedExpr(e, std::string("expression '") + e->getStmtClassName() + "'");
}

bool Interp::evalMemberLValue(const MemberExpr *me, LValue &out) {
    const auto *fd = dyn_cast<FieldDecl>(me->getMemberDecl());
    if (!fd) return unsupportedExpr(me, "this member access");
    const Expr *base = me->getBase();
    if (me->isArrow()) {
        Value p;
        if (!eval(base, p)) return false;
        if (!pointee(p, 0, base, out)) return false;
    } else if (!evalLValue(base, out)) {
        return false;
    }
    if (fd->getParent()->isUnion()) {
        diag_.error(me->getMemberLoc(), DiagId::UnionMember) << fd->getNameAsString() << me->getSourceRange();
        return false;
    }
    out = out.child({fd, 0, -1}, me->getType());
    return true;
}

bool Interp::evalCast(const CastExpr *ce, Value &out) {
    const Expr *sub = ce->getSubExpr();
    switch (ce->getCastKind()) {
    case CK_LValueToRValue: {
        LValue lv;
        if (!evalLValue(sub, lv)) return false;
        return load(lv, sub, out);
    }
    case CK_ArrayToPointerDecay: {
        LValue lv;
        if (!evalLValue(sub, lv)) return false;
        return decayArray(lv, sub, out);
    }
    case CK_FunctionToPointerDecay:
    case CK_BuiltinFnToFnPtr: {
        const Expr *s = sub->IgnoreParens();
        if (const auto *dr = dyn_cast<DeclRefExpr>(s)) {
            if (const auto *fd = dyn_cast<FunctionDecl>(dr->getDecl())) {
                out = Value();
                out.kind = VK::Function;
                out.fn = fd;
                return true;
            }
        }
        if (const auto *uo = dyn_cast<UnaryOperator>(s); uo && uo->getOpcode() == UO_Deref)
            return eval(uo->getSubExpr(), out);  // (*fp)(...) is fp(...)
        return unsupportedExpr(ce, "this function designator");
    }
    case CK_ToVoid: {
        if (sub->isGLValue()) {
            LValue ignored;
            if (!evalLValue(sub, ignored)) return false;
        } else {
            Value ignored;
            if (!eval(sub, ignored)) return false;
        }
        out = Value();
        return true;
    }
    case CK_NoOp:
    case CK_BitCast:
        if (volatileCast(ce)) return false;
        [[fallthrough]];
    case CK_IntegralCast:
    case CK_IntegralToBoolean:
    case CK_IntegralToFloating:
    case CK_FloatingToIntegral:
    case CK_FloatingCast:
    case CK_FloatingToBoolean:
    case CK_PointerToBoolean:
    case CK_PointerToIntegral:
    case CK_IntegralToPointer:
    case CK_NullToPointer:
    case CK_BooleanToSignedIntegral: {
        Value v;
        if (!eval(sub, v)) return false;
        if (!convert(v, ce->getType(), ce)) return false;
        out = std::move(v);
        return true;
    }
    default:
        return unsupportedExpr(ce, std::string("the cast '") + ce->getCastKindName() + "'");
    }
}

bool Interp::evalUnary(const UnaryOperator *uo, Value &out) {
    const Expr *sub = uo->getSubExpr();
    QualType t = uo->getType();
    switch (uo->getOpcode()) {
    case UO_AddrOf: {
        const Expr *s = sub->IgnoreParens();
        if (const auto *dr = dyn_cast<DeclRefExpr>(s)) {
            if (const auto *fd = dyn_cast<FunctionDecl>(dr->getDecl())) {
                out = Value();
                out.kind = VK::Function;
                out.fn = fd;
                return true;
            }
        }
        LValue lv;
        if (!evalLValue(sub, lv)) return false;
        out = addressOf(lv);
        return true;
    }
    case UO_Plus:
    case UO_Extension:
        return eval(sub, out);
    case UO_Minus: {
        Value v;
        if (!eval(sub, v)) return false;
        if (v.kind == VK::Float) return arith(BO_Sub, Value::mkFloat(0), v, t, uo, out);
        return arith(BO_Sub, intOfType(0, t), v, t, uo, out);
    }
    case UO_Not: {
        Value v;
        if (!eval(sub, v)) return false;
        return arith(BO_Xor, v, intOfType(-1, t), t, uo, out);
    }
    case UO_LNot: {
        Value v;
        if (!eval(sub, v)) return false;
        if (!toBool(v, sub)) return false;
        if (v.kind == VK::Undecided) {
            v.text = "!(" + v.text + ")";
            std::swap(v.hasWhenTrue, v.hasWhenFalse);
            std::swap(v.whenTrue, v.whenFalse);
            out = v;
            return true;
        }
        out = intOfType(v.i ? 0 : 1, t);
        return true;
    }
    case UO_PreInc:
    case UO_PreDec:
    case UO_PostInc:
    case UO_PostDec: {
        LValue lv;
        Value old, next;
        if (!evalLValue(sub, lv) || !writable(lv, uo) || !load(lv, sub, old)) return false;
        BinaryOperatorKind op = uo->isIncrementOp() ? BO_Add : BO_Sub;
        QualType st = sub->getType();
        if (old.kind == VK::Pointer) {
            if (!pointerArith(op, old, Value::mkInt(1), uo, next)) return false;
        } else if (old.kind == VK::Float) {
            if (!arith(op, old, Value::mkFloat(1), st, uo, next)) return false;
        } else {
            if (!arith(op, old, intOfType(1, st), st, uo, next)) return false;
        }
        if (!store(lv, next, uo)) return false;
        out = uo->isPrefix() ? next : old;
        return true;
    }
    default:
        return unsupportedExpr(uo, std::string("the operator '") + UnaryOperator::getOpcodeStr(uo->getOpcode()).str() +
                                       "'");
    }
}

bool Interp::evalBinary(const BinaryOperator *bo, Value &out) {
    BinaryOperatorKind op = bo->getOpcode();
    if (bo->isAssignmentOp()) return evalAssign(bo, out);
    if (op == BO_Comma) {
        Value ignored;
        if (isCallSitePush(bo->getLHS())) return eval(bo->getRHS(), out);  // XP_AT_ (capture_call.cpp)
        if (!eval(bo->getLHS(), ignored)) return false;
        return eval(bo->getRHS(), out);
    }
    if (op == BO_LAnd || op == BO_LOr) {
        if (dataDependentCondition(bo->getLHS(), bo)) return false;
        Value a;
        if (!eval(bo->getLHS(), a) || !toBool(a, bo->getLHS())) return false;
        if (a.kind == VK::Undecided) {
            out = a;  // the left operand already cannot be decided
            return true;
        }
        if ((op == BO_LAnd && !a.i) || (op == BO_LOr && a.i)) {
            out = intOfType(a.i, bo->getType());
            return true;
        }
        Value b;
        if (!eval(bo->getRHS(), b) || !toBool(b, bo->getRHS())) return false;
        if (b.kind == VK::Undecided) {
            out = b;
            return true;
        }
        out = intOfType(b.i, bo->getType());
        return true;
    }
    if (op == BO_PtrMemD || op == BO_PtrMemI || op == BO_Cmp)
        return unsupportedExpr(bo, "this operator");
    Value a, b;
    if (!eval(bo->getLHS(), a) || !eval(bo->getRHS(), b)) return false;
    if (bo->isComparisonOp()) return compare(op, a, b, bo->getLHS()->getType(), bo, out);
    return arith(op, a, b, bo->getType(), bo, out);
}

bool Interp::evalAssign(const BinaryOperator *bo, Value &out) {
    LValue lv;
    if (!evalLValue(bo->getLHS(), lv)) return false;
    Value rhs;
    if (!eval(bo->getRHS(), rhs)) return false;
    Value v;
    if (bo->getOpcode() == BO_Assign) {
        v = std::move(rhs);
    } else {
        const auto *ca = cast<CompoundAssignOperator>(bo);
        BinaryOperatorKind op = BinaryOperator::getOpForCompoundAssignment(bo->getOpcode());
        Value cur;
        if (!writable(lv, bo) || !load(lv, bo->getLHS(), cur)) return false;
        if (cur.kind == VK::Pointer || cur.kind == VK::Tensor || cur.kind == VK::Null) {
            if (!pointerArith(op, cur, rhs, bo, v)) return false;
        } else {
            if (!convert(cur, ca->getComputationLHSType(), bo)) return false;
            if (!arith(op, cur, rhs, ca->getComputationResultType(), bo, v)) return false;
            if (!convert(v, bo->getLHS()->getType(), bo)) return false;
        }
    }
    if (!store(lv, v, bo)) return false;
    out = v;
    return true;
}

const CallExpr *assertFailCall(const Stmt *s) {
    const auto *e = dyn_cast_or_null<Expr>(s);
    if (!e) return nullptr;
    const auto *call = dyn_cast<CallExpr>(e->IgnoreParenCasts());
    if (!call || !call->getDirectCallee()) return nullptr;
    StringRef name = call->getDirectCallee()->getName();
    if (name == "__assert_fail" || name == "__assert_rtn" || name == "__assert" || name == "_assert" ||
        name == "__assert2")
        return call;
    return nullptr;
}

bool Interp::evalConditional(const AbstractConditionalOperator *co, Value &out) {
    if (const auto *c = dyn_cast<ConditionalOperator>(co)) {
        if (const CallExpr *fail = assertFailCall(c->getFalseExpr())) {
            out = Value();
            return checkAssertion(c->getCond(), fail);
        }
        if (dataDependentCondition(c->getCond(), co)) return false;
        bool taken = false;
        if (!decide(c->getCond(), "'?:' condition", DiagId::NoteNarrowRangeIf, taken)) return false;
        Value v;
        if (!eval(taken ? c->getTrueExpr() : c->getFalseExpr(), v)) return false;
        out = std::move(v);
        return true;
    }
    // GNU `a ?: b`: `a` is evaluated once and is the result when true.
    const auto *bc = cast<BinaryConditionalOperator>(co);
    if (dataDependentCondition(bc->getCommon(), co)) return false;
    Value common;
    if (!eval(bc->getCommon(), common)) return false;
    bool taken = false;
    if (!truth(common, bc->getCommon(), "'?:' condition", DiagId::NoteNarrowRangeIf, taken)) return false;
    if (taken) {
        out = common;
        return convert(out, co->getType(), co);
    }
    return eval(bc->getFalseExpr(), out);
}

static std::string assertionText(const CallExpr *fail, const std::string &fallback) {
    if (fail->getNumArgs() > 0)
        if (const auto *sl = dyn_cast<StringLiteral>(fail->getArg(0)->IgnoreParenCasts()))
            if (sl->getCharByteWidth() == 1) return sl->getString().str();
    return fallback;
}

// `assert(c)` on sizes must be proven by the declared ranges (DESIGN §1):
// `cond` must hold for every size, else the assertion `fail` would fire.
bool Interp::checkAssertion(const Expr *cond, const CallExpr *fail) {
    Value v;
    if (!eval(cond, v) || !toBool(v, cond)) return false;
    std::string text = assertionText(fail, sourceText(cond));
    if (v.kind == VK::Undecided) {
        reportUndecided(v, cond, "assertion", DiagId::NoteNarrowRangeAssert, text);
        return false;
    }
    if (!v.i) {
        diag_.error(cond->getExprLoc(), DiagId::AssertionFalse) << text << cond->getSourceRange();
        return false;
    }
    return true;
}

bool Interp::evalStmtExpr(const StmtExpr *se, Value &out) {
    const CompoundStmt *cs = se->getSubStmt();
    out = Value();
    unsigned n = cs->size(), k = 0;
    for (const Stmt *s : cs->body()) {
        ++k;
        if (k == n)
            if (const auto *e = dyn_cast<Expr>(s)) return eval(e, out);
        Flow f = exec(s);
        if (f == Flow::Error) return false;
        if (f != Flow::Normal)
            return unsupportedExpr(se, "'return', 'break' or 'continue' inside a statement expression");
    }
    return true;
}

}  // namespace xport::capture
