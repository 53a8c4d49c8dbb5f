// Structured control flow: `#pragma xport cond` ifs, `#pragma xport map`
// loops, and their function forms xp_cond / xp_map (DESIGN §2, §3, §5).
// Each becomes one cond / map node whose subgraphs the capture library
// records between *_begin and *_end; tensors from outside a region that it
// reads become operands automatically, and mutating them is the library's
// error.
//
// Decisions (docs/plugin.md, "cond and map"):
//   - a cond predicate is written `xp_item_bool(t)` (C needs a scalar in
//     `if`), possibly negated with `!`; a bare tensor pointer is rejected,
//     since eager C would test the pointer, not the value;
//   - a size comparison the declared ranges do not decide becomes a
//     sym_le / sym_lt / sym_eq predicate; one they do decide is specialized
//     (only the taken side is captured, and the decision is recorded), as
//     torch.cond does with a Python bool;
//   - the pragma on the first `if` of an `else if` chain covers the chain:
//     each undecided `else if` is a cond nested in the false branch;
//   - branch outputs are the tensors the branches assign to objects that
//     live on after the `if` (a place assigned on one side keeps its prior
//     value on the other), or the values both branches return.
#include "capture_interp.h"

#include "clang/Lex/Lexer.h"

#include <algorithm>
#include <set>

namespace xport::capture {

using namespace clang;

namespace {

// The value of every local object of the active frames before a region, so
// that a branch's effects can be read off and undone.
struct Snapshot {
    struct Entry {
        std::shared_ptr<Cell> cell;
        Value before;
        size_t frame;  // index into frames_
    };
    std::vector<Entry> cells;
};

// A sub-object (a path of member/element indices) of one snapshot entry.
struct Place {
    size_t cell;
    std::vector<size_t> path;
    bool operator<(const Place &o) const { return cell != o.cell ? cell < o.cell : path < o.path; }
};

Snapshot takeSnapshot(const std::deque<Interp::Frame> &frames) {
    Snapshot s;
    std::set<const Cell *> seen;
    for (size_t f = 0; f < frames.size(); f++)
        for (const auto &kv : frames[f].locals)
            if (seen.insert(kv.second.get()).second) s.cells.push_back({kv.second, kv.second->v, f});
    return s;
}

void restore(const Snapshot &s) {
    for (const auto &e : s.cells) e.cell->v = e.before;
}

bool sameTarget(const LValue &a, const LValue &b) {
    if (a.root != b.root || a.cell != b.cell || a.global != b.global || a.model != b.model ||
        a.path.size() != b.path.size())
        return false;
    for (size_t k = 0; k < a.path.size(); k++)
        if (a.path[k].field != b.path[k].field || a.path[k].index != b.path[k].index) return false;
    return true;
}

bool same(const Value &a, const Value &b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
    case VK::Int:
    case VK::Bool:
    case VK::Dtype:
        return a.i == b.i;
    case VK::Float:
        return a.f == b.f || (a.f != a.f && b.f != b.f);
    case VK::Tensor:
        return a.t == b.t;
    case VK::Pointer:
    case VK::ModelObj:
        return sameTarget(a.target, b.target);
    case VK::Function:
        return a.fn == b.fn;
    case VK::Array:
    case VK::Struct:
        if (a.elems.size() != b.elems.size()) return false;
        for (size_t k = 0; k < a.elems.size(); k++)
            if (!same(a.elems[k], b.elems[k])) return false;
        return true;
    case VK::Undecided:
        return false;
    default:
        return true;
    }
}

// The leaves where `after` differs from `before`.
void diff(const Value &before, const Value &after, size_t cell, std::vector<size_t> &path, std::set<Place> &out) {
    if ((before.kind == VK::Array || before.kind == VK::Struct) && after.kind == before.kind &&
        before.elems.size() == after.elems.size()) {
        for (size_t k = 0; k < before.elems.size(); k++) {
            path.push_back(k);
            diff(before.elems[k], after.elems[k], cell, path, out);
            path.pop_back();
        }
        return;
    }
    if (!same(before, after)) out.insert({cell, path});
}

const Value *at(const Value &root, const std::vector<size_t> &path) {
    const Value *v = &root;
    for (size_t k : path) {
        if ((v->kind != VK::Array && v->kind != VK::Struct) || k >= v->elems.size()) return nullptr;
        v = &v->elems[k];
    }
    return v;
}

Value *at(Value &root, const std::vector<size_t> &path) {
    return const_cast<Value *>(at(static_cast<const Value &>(root), path));
}

// "y", "ys[1]", "s.h" for messages.
std::string placeName(const Snapshot::Entry &e, const std::vector<size_t> &path) {
    std::string name = e.cell->var ? e.cell->var->getNameAsString() : std::string("a temporary");
    const Value *v = &e.before;
    for (size_t k : path) {
        if (v && v->kind == VK::Struct && !v->type.isNull()) {
            if (const RecordDecl *rd = v->type->getAsRecordDecl()) {
                size_t idx = 0;
                for (const FieldDecl *fd : rd->fields())
                    if (idx++ == k) name += "." + fd->getNameAsString();
            }
        } else {
            name += "[" + std::to_string(k) + "]";
        }
        v = v && k < v->elems.size() ? &v->elems[k] : nullptr;
    }
    return name;
}

const CallExpr *callNamed(const Expr *e, const char *name) {
    const auto *ce = dyn_cast_or_null<CallExpr>(withoutCallSite(e));
    if (!ce) return nullptr;
    const FunctionDecl *fd = ce->getDirectCallee();
    return fd && fd->getName() == name ? ce : nullptr;
}

const VarDecl *varOf(const Expr *e) {
    const auto *dr = dyn_cast_or_null<DeclRefExpr>(e ? e->IgnoreParenImpCasts() : nullptr);
    return dr ? dyn_cast<VarDecl>(dr->getDecl()) : nullptr;
}

bool isZero(const Expr *e, ASTContext &ast) {
    Expr::EvalResult r;
    return e && e->EvaluateAsInt(r, ast) && r.Val.getInt() == 0;
}

bool isOne(const Expr *e, ASTContext &ast) {
    Expr::EvalResult r;
    return e && e->EvaluateAsInt(r, ast) && r.Val.getInt() == 1;
}

}  // namespace

// ---- cond: the predicate ----

namespace {
// What a cond condition turned out to be.
struct Pred {
    bool decided = false, taken = false;  // decided: the side to take
    xp_cref t = XP_CREF_NONE;             // otherwise: a one-element bool tensor
};
}  // namespace

static bool opRef(Interp &I, const char *op, std::vector<xp_carg> args, SourceLocation loc, const Expr *at,
                  xp_cref &out) {
    const xp_op_def *def = xp_op_find(op);
    if (!def || xp_capture_op(I.cap_, def->id, args.data(), int(args.size()), I.srcloc(loc), &out) != XP_OK) {
        I.diag_.error(at->getExprLoc(), DiagId::ControlFlowFailed)
            << (def ? std::string(xp_last_error()) : std::string("the op '") + op + "' is not in the registry")
            << at->getSourceRange();
        return false;
    }
    return true;
}

static bool condPredicate(Interp &I, const Expr *cond, Pred &p) {
    const Expr *e = cond->IgnoreParenImpCasts();
    bool negate = false;
    while (const auto *uo = dyn_cast<UnaryOperator>(e)) {
        if (uo->getOpcode() != UO_LNot) break;
        negate = !negate;
        e = uo->getSubExpr()->IgnoreParenImpCasts();
    }
    if (const CallExpr *item = callNamed(e, "xp_item_bool"); item && item->getNumArgs() == 1) {
        Value v;
        if (!I.eval(item->getArg(0), v)) return false;
        xp_cref t;
        if (!I.tensorArg(item, 0, "xp_item_bool", v, t)) return false;
        if (negate && !opRef(I, "eq_scalar", {xp_carg_t(t), xp_carg_f(0)}, cond->getBeginLoc(), cond, t))
            return false;
        p.t = t;
        return true;
    }
    if (I.isTensorPtr(e->getType())) {
        std::string text = I.sourceText(e);
        Report r = I.diag_.error(e->getExprLoc(), DiagId::CondPredPointer);
        r << text << e->getSourceRange();
        r.note(e->getExprLoc(), DiagId::NoteCondPredItem) << text;
        r << FixItHint::CreateInsertion(I.fileLoc(e->getBeginLoc()), "xp_item_bool(");
        r << FixItHint::CreateInsertion(
            Lexer::getLocForEndOfToken(I.fileLoc(e->getEndLoc()), 0, I.sm_, I.ast_.getLangOpts()), ")");
        return false;
    }
    // Any other read of tensor data: the condition is not one bool tensor.
    std::function<bool(const Stmt *)> readsData = [&](const Stmt *st) {
        if (!st) return false;
        if (const auto *ce = dyn_cast<CallExpr>(st))
            if (const FunctionDecl *fd = ce->getDirectCallee(); fd && fd->getName().starts_with("xp_item_"))
                return true;
        for (const Stmt *c : st->children())
            if (readsData(c)) return true;
        return false;
    };
    if (readsData(cond)) {
        Report r = I.diag_.error(cond->getExprLoc(), DiagId::CondPredNotRelation);
        r << I.sourceText(cond) << cond->getSourceRange();
        r.note(cond->getExprLoc(), DiagId::NoteCondPredTensorOps);
        return false;
    }
    Value v;
    if (!I.eval(cond, v)) return false;
    if (!I.toBool(v, cond)) return false;
    if (v.isConcreteInt()) {
        p.decided = true;
        p.taken = v.i != 0;
        return true;
    }
    // The relation must be the whole condition (up to '!'): in `a && b` the
    // undecided value is one operand's, which is not the condition.
    if (v.kind == VK::Undecided && (v.hasWhenTrue || v.hasWhenFalse) && v.relLoc == e->getExprLoc()) {
        const xp_requirement &rq = v.hasWhenTrue ? v.whenTrue : v.whenFalse;
        const char *op = rq.rel == XP_REL_LE ? "sym_le" : rq.rel == XP_REL_LT ? "sym_lt" : "sym_eq";
        xp_cref t;
        if (!opRef(I, op, {xp_carg_i(rq.lhs), xp_carg_i(rq.rhs)}, cond->getBeginLoc(), cond, t)) return false;
        if (!v.hasWhenTrue && !opRef(I, "eq_scalar", {xp_carg_t(t), xp_carg_f(0)}, cond->getBeginLoc(), cond, t))
            return false;
        p.t = t;
        return true;
    }
    Report r = I.diag_.error(cond->getExprLoc(), DiagId::CondPredNotRelation);
    r << I.sourceText(cond) << cond->getSourceRange();
    r.note(cond->getExprLoc(), DiagId::NoteCondPredTensorOps);
    return false;
}

// ---- cond: the statement form ----

namespace {
// What one branch did.
struct BranchResult {
    Flow flow = Flow::Normal;
    Value ret;
    SourceLocation retLoc;
    std::vector<Value> after;  // per snapshot entry
};
}  // namespace

// Runs statements as a block does (a cond 'if' among them may take the rest).
static Flow execRange(Interp &I, const Stmt *const *it, const Stmt *const *end) {
    for (; it != end; ++it) {
        if (const auto *is = dyn_cast<IfStmt>(*it); is && I.ctx_.stmtPragmas.count(is)) {
            bool consumed = false;
            Flow f = I.execCond(is, it + 1, end, consumed);
            if (f != Flow::Normal || consumed) return f;
            continue;
        }
        Flow f = I.exec(*it);
        if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
}

static Flow condIf(Interp &I, const IfStmt *is, const Stmt *const *rest, const Stmt *const *restEnd,
                   bool &consumed);

// The false side of `is`: its else (an `else if` continues the chain as a
// cond), or, when `thenReturned` and there is no else, the rest of the block.
static Flow execElse(Interp &I, const IfStmt *is, const Stmt *const *rest, const Stmt *const *restEnd,
                     bool thenReturned, bool &consumed) {
    if (const Stmt *els = is->getElse()) {
        if (const auto *chain = dyn_cast<IfStmt>(els)) {
            // Its own pragma, if written, says what the chain's already does.
            if (auto own = I.ctx_.stmtPragmas.find(chain); own != I.ctx_.stmtPragmas.end()) own->second->used = true;
            bool inner = false;
            return condIf(I, chain, nullptr, nullptr, inner);
        }
        return I.exec(els);
    }
    if (thenReturned && rest) {
        consumed = true;
        return execRange(I, rest, restEnd);
    }
    return Flow::Normal;
}

static Flow condIf(Interp &I, const IfStmt *is, const Stmt *const *rest, const Stmt *const *restEnd,
                   bool &consumed) {
    consumed = false;
    if (is->getInit()) {
        Flow f = I.exec(is->getInit());
        if (f != Flow::Normal) return f;
    }
    Pred p;
    if (!condPredicate(I, is->getCond(), p)) return Flow::Error;
    if (p.decided) {
        // Specialized like torch.cond on a Python bool: the ranges decided it.
        if (p.taken) return I.exec(is->getThen());
        return execElse(I, is, nullptr, nullptr, false, consumed);
    }

    SourceLocation loc = is->getIfLoc();
    Snapshot snap = takeSnapshot(I.frames_);
    size_t self = I.frames_.size() - 1;
    Interp::Frame &fr = I.frames_.back();
    Value savedRet = fr.ret;
    bool savedReturned = fr.returned;
    SourceLocation savedRetLoc = fr.retLoc;
    auto fail = [&]() {
        restore(snap);
        xp_capture_region_abort(I.cap_);
        return Flow::Error;
    };
    auto finishBranch = [&](Flow f, BranchResult &b) {
        b.flow = f;
        b.ret = fr.ret;
        b.retLoc = fr.retLoc;
        for (const auto &e : snap.cells) b.after.push_back(e.cell->v);
        restore(snap);
        fr.ret = savedRet;
        fr.returned = savedReturned;
        fr.retLoc = savedRetLoc;
    };
    auto jump = [&](const BranchResult &b) {
        if (b.flow != Flow::Break && b.flow != Flow::Continue) return false;
        Report r = I.diag_.error(loc, DiagId::CondJump);
        r << (b.flow == Flow::Break ? "break" : "continue") << is->getCond()->getSourceRange();
        return true;
    };

    if (xp_capture_cond_begin(I.cap_, p.t, I.srcloc(loc)) != XP_OK) {
        I.diag_.error(is->getCond()->getExprLoc(), DiagId::ControlFlowFailed)
            << xp_last_error() << is->getCond()->getSourceRange();
        return fail();
    }
    BranchResult tb, fb;
    Flow f = I.exec(is->getThen());
    if (f == Flow::Error) return fail();
    finishBranch(f, tb);
    if (jump(tb)) return fail();
    if (xp_capture_cond_else(I.cap_) != XP_OK) {
        I.diag_.error(loc, DiagId::ControlFlowFailed) << xp_last_error();
        return fail();
    }
    f = execElse(I, is, rest, restEnd, tb.flow == Flow::Return, consumed);
    if (f == Flow::Error) return fail();
    finishBranch(f, fb);
    if (jump(fb)) return fail();
    bool returns = tb.flow == Flow::Return;
    if (returns != (fb.flow == Flow::Return)) {
        I.diag_.error(loc, DiagId::CondMixedReturn) << is->getCond()->getSourceRange();
        return fail();
    }

    // The outputs: every place either branch changed (when both return, the
    // returning frame's locals die with it), then the returned values.
    std::set<Place> places;
    for (size_t k = 0; k < snap.cells.size(); k++) {
        if (returns && snap.cells[k].frame == self) continue;
        std::vector<size_t> path;
        diff(snap.cells[k].before, tb.after[k], k, path, places);
        diff(snap.cells[k].before, fb.after[k], k, path, places);
    }
    std::vector<xp_cref> touts, fouts;
    std::vector<Place> outPlaces;
    bool ok = true;
    for (const Place &pl : places) {
        const Snapshot::Entry &e = snap.cells[pl.cell];
        const Value *tv = at(tb.after[pl.cell], pl.path), *fv = at(fb.after[pl.cell], pl.path);
        if (tv && fv && tv->kind == VK::Tensor && fv->kind == VK::Tensor) {
            touts.push_back(tv->t);
            fouts.push_back(fv->t);
            outPlaces.push_back(pl);
            continue;
        }
        std::string name = placeName(e, pl.path);
        const Value *bad = tv && tv->kind != VK::Tensor ? tv : fv;
        if (bad && bad->kind == VK::Undef) {
            Report r = I.diag_.error(loc, DiagId::CondOneSided);
            r << name << is->getCond()->getSourceRange();
            if (e.cell->var) r.note(e.cell->var->getLocation(), DiagId::NoteCondOneSided) << name;
        } else {
            I.diag_.error(loc, DiagId::CondNonTensor)
                << name << describeKind(bad ? bad->kind : VK::Undef) << is->getCond()->getSourceRange();
        }
        ok = false;
    }
    // Returned values: tensors become outputs, anything else must agree.
    std::vector<std::vector<size_t>> retPaths;
    if (returns) {
        std::vector<size_t> path;
        // Every leaf of the returned value: diff against nothing.
        std::function<void(const Value &, const Value &)> walk = [&](const Value &a, const Value &b) {
            if ((a.kind == VK::Struct || a.kind == VK::Array) && a.kind == b.kind && a.elems.size() == b.elems.size()) {
                for (size_t k = 0; k < a.elems.size(); k++) {
                    path.push_back(k);
                    walk(a.elems[k], b.elems[k]);
                    path.pop_back();
                }
                return;
            }
            if (a.kind == VK::Tensor && b.kind == VK::Tensor) {
                touts.push_back(a.t);
                fouts.push_back(b.t);
                retPaths.push_back(path);
                return;
            }
            if (!same(a, b)) {
                I.diag_.error(fb.retLoc.isValid() ? fb.retLoc : loc, DiagId::CondNonTensor)
                    << "the returned value" << describeKind(a.kind == VK::Tensor ? b.kind : a.kind)
                    << is->getCond()->getSourceRange();
                ok = false;
            }
        };
        walk(tb.ret, fb.ret);
    }
    if (!ok) return fail();

    std::vector<xp_cref> outs(touts.size());
    if (xp_capture_cond_end(I.cap_, int(touts.size()), touts.data(), fouts.data(), outs.data()) != XP_OK) {
        Report r = I.diag_.error(loc, DiagId::ControlFlowFailed);
        r << xp_last_error() << is->getCond()->getSourceRange();
        for (size_t k = 0; k < outPlaces.size(); k++)
            if (const VarDecl *vd = snap.cells[outPlaces[k].cell].cell->var)
                r.note(vd->getLocation(), DiagId::NoteDeclaredHere) << placeName(snap.cells[outPlaces[k].cell],
                                                                                  outPlaces[k].path);
        return fail();
    }
    for (size_t k = 0; k < outPlaces.size(); k++) {
        Value *v = at(snap.cells[outPlaces[k].cell].cell->v, outPlaces[k].path);
        if (!v) {  // the place did not exist before the 'if' (an object assigned as a whole)
            Value *whole = &snap.cells[outPlaces[k].cell].cell->v;
            *whole = tb.after[outPlaces[k].cell];
            v = at(*whole, outPlaces[k].path);
        }
        *v = Value::mkTensor(outs[k], loc);
    }
    if (returns) {
        Value ret = tb.ret;
        for (size_t k = 0; k < retPaths.size(); k++)
            *at(ret, retPaths[k]) = Value::mkTensor(outs[outPlaces.size() + k], loc);
        fr.ret = std::move(ret);
        fr.returned = true;
        fr.retLoc = tb.retLoc;
        return Flow::Return;
    }
    return Flow::Normal;
}

Flow Interp::execCond(const IfStmt *is, const Stmt *const *rest, const Stmt *const *restEnd, bool &consumedRest) {
    consumedRest = false;
    PragmaRecord *rec = ctx_.stmtPragmas.at(is);
    rec->used = true;  // a cond: attach.cpp attaches no other pragma to an 'if'
    return condIf(*this, is, rest, restEnd, consumedRest);
}

// ---- map: the loop form ----

namespace {
// What the body of a map loop reads and writes, found before it runs.
struct MapScan {
    const VarDecl *index = nullptr;
    std::vector<const VarDecl *> mapped;          // the bound's tensor first
    std::map<const CallExpr *, size_t> reads;     // xp_select(xs, 0, i) -> mapped index
    std::vector<const VarDecl *> outs;
    std::map<const CallExpr *, size_t> writes;    // xp_copy_(xp_select(ys, 0, i), v) -> out index
    std::set<const VarDecl *> inner;              // declared inside the body
};

size_t indexOf(std::vector<const VarDecl *> &v, const VarDecl *d) {
    auto it = std::find(v.begin(), v.end(), d);
    if (it != v.end()) return size_t(it - v.begin());
    v.push_back(d);
    return v.size() - 1;
}
}  // namespace

// `xp_select(V, 0, i)` with V a local variable: V.
static const VarDecl *sliceOf(const CallExpr *ce, const MapScan &s, ASTContext &ast) {
    if (!ce || ce->getNumArgs() != 3 || varOf(ce->getArg(2)) != s.index || !isZero(ce->getArg(1), ast)) return nullptr;
    const VarDecl *v = varOf(ce->getArg(0));
    return v && v->hasLocalStorage() ? v : nullptr;
}

static void scanCollect(const Stmt *st, MapScan &s, ASTContext &ast) {
    if (!st) return;
    if (const auto *ds = dyn_cast<DeclStmt>(st))
        for (const Decl *d : ds->decls())
            if (const auto *vd = dyn_cast<VarDecl>(d)) s.inner.insert(vd);
    if (const auto *e = dyn_cast<Expr>(st)) {
        if (const CallExpr *cp = callNamed(e, "xp_copy_"); cp && cp->getNumArgs() == 2) {
            if (const VarDecl *ys = sliceOf(callNamed(cp->getArg(0), "xp_select"), s, ast)) {
                s.writes[cp] = indexOf(s.outs, ys);
                scanCollect(cp->getArg(1), s, ast);
                return;
            }
        }
        if (const CallExpr *sel = callNamed(e, "xp_select")) {
            if (const VarDecl *xs = sliceOf(sel, s, ast)) {
                s.reads[sel] = indexOf(s.mapped, xs);
                return;
            }
        }
    }
    for (const Stmt *c : st->children()) scanCollect(c, s, ast);
}

// The base variable an assignment writes (`v`, `v[k]`, `v.f`), if local.
static const VarDecl *assignedVar(const Expr *lhs) {
    const Expr *e = lhs->IgnoreParenImpCasts();
    for (;;) {
        if (const auto *as = dyn_cast<ArraySubscriptExpr>(e)) {
            if (!as->getBase()->getType()->isArrayType() && !isa<ImplicitCastExpr>(as->getBase())) return nullptr;
            e = as->getBase()->IgnoreParenImpCasts();
        } else if (const auto *me = dyn_cast<MemberExpr>(e); me && !me->isArrow()) {
            e = me->getBase()->IgnoreParenImpCasts();
        } else {
            break;
        }
    }
    const VarDecl *vd = varOf(e);
    return vd && vd->hasLocalStorage() ? vd : nullptr;
}

static bool scanCheck(Interp &I, const Stmt *st, const MapScan &s, int loopDepth, int switchDepth) {
    if (!st) return true;
    bool ok = true;
    if (const auto *ce = dyn_cast<CallExpr>(st)) {
        if (s.reads.count(ce)) return true;
        if (s.writes.count(ce)) return scanCheck(I, ce->getArg(1), s, loopDepth, switchDepth);
        // Another slice of a mapped tensor: one error at the call.
        if (const FunctionDecl *fd = ce->getDirectCallee(); fd && fd->getName() == "xp_select" && ce->getNumArgs() == 3)
            if (const VarDecl *vd = varOf(ce->getArg(0));
                vd && std::find(s.mapped.begin(), s.mapped.end(), vd) != s.mapped.end()) {
                std::string name = vd->getNameAsString(), idx = s.index->getNameAsString();
                Report r = I.diag_.error(ce->getExprLoc(), DiagId::MapReadsOutside);
                r << name << "xp_select(" + name + ", 0, " + idx + ")" << ce->getSourceRange();
                r.note(ce->getExprLoc(), DiagId::NoteMapSlice) << name << idx;
                return false;
            }
        // Shape queries read no slice: sizes are loop-invariant.
        if (const FunctionDecl *fd = ce->getDirectCallee();
            fd && (fd->getName() == "xp_size" || fd->getName() == "xp_ndim" || fd->getName() == "xp_dtype_of"))
            return true;
    }
    if (const auto *dr = dyn_cast<DeclRefExpr>(st)) {
        const auto *vd = dyn_cast<VarDecl>(dr->getDecl());
        std::string idx = s.index->getNameAsString();
        if (vd == s.index) {
            I.diag_.error(dr->getLocation(), DiagId::MapIndexUse) << idx << dr->getSourceRange();
            return false;
        }
        bool isMapped = std::find(s.mapped.begin(), s.mapped.end(), vd) != s.mapped.end();
        bool isOut = std::find(s.outs.begin(), s.outs.end(), vd) != s.outs.end();
        if (vd && (isMapped || isOut)) {
            std::string name = vd->getNameAsString();
            Report r = I.diag_.error(dr->getLocation(), DiagId::MapReadsOutside);
            r << name << "xp_select(" + name + ", 0, " + idx + ")" << dr->getSourceRange();
            if (isOut) r.note(dr->getLocation(), DiagId::NoteMapOutput) << idx;
            else r.note(dr->getLocation(), DiagId::NoteMapSlice) << name << idx;
            return false;
        }
        return true;
    }
    const Expr *lhs = nullptr;
    if (const auto *bo = dyn_cast<BinaryOperator>(st); bo && bo->isAssignmentOp()) lhs = bo->getLHS();
    if (const auto *uo = dyn_cast<UnaryOperator>(st); uo && uo->isIncrementDecrementOp()) lhs = uo->getSubExpr();
    if (lhs) {
        if (const VarDecl *vd = assignedVar(lhs); vd && !s.inner.count(vd) && vd != s.index) {
            Report r = I.diag_.error(lhs->getExprLoc(), DiagId::MapEscape);
            r << vd->getNameAsString() << lhs->getSourceRange();
            r.note(lhs->getExprLoc(), DiagId::NoteMapOutput) << s.index->getNameAsString();
            ok = false;
        }
    }
    const char *jump = isa<ReturnStmt>(st)                            ? "return"
                       : isa<BreakStmt>(st) && !loopDepth && !switchDepth ? "break"
                       : isa<ContinueStmt>(st) && !loopDepth          ? "continue"
                                                                      : nullptr;
    if (jump) {
        I.diag_.error(st->getBeginLoc(), DiagId::MapJump) << jump << st->getSourceRange();
        return false;
    }
    bool loop = isa<ForStmt>(st) || isa<WhileStmt>(st) || isa<DoStmt>(st);
    for (const Stmt *c : st->children())
        ok = scanCheck(I, c, s, loopDepth + (loop ? 1 : 0), switchDepth + (isa<SwitchStmt>(st) ? 1 : 0)) && ok;
    return ok;
}

// i = 0 / int i = 0; i < xp_size(xs, 0); i++ / ++i / i += 1
static bool mapLoopForm(const ForStmt *fs, ASTContext &ast, const VarDecl *&index, const VarDecl *&xs,
                        bool &indexDeclared) {
    index = nullptr;
    xs = nullptr;
    indexDeclared = false;
    if (const auto *ds = dyn_cast_or_null<DeclStmt>(fs->getInit())) {
        const auto *vd = ds->isSingleDecl() ? dyn_cast<VarDecl>(ds->getSingleDecl()) : nullptr;
        if (!vd || !isZero(vd->getInit(), ast)) return false;
        index = vd;
        indexDeclared = true;
    } else if (const auto *bo = dyn_cast_or_null<BinaryOperator>(fs->getInit())) {
        if (bo->getOpcode() != BO_Assign || !isZero(bo->getRHS(), ast)) return false;
        index = varOf(bo->getLHS());
    }
    if (!index || !index->getType()->isIntegerType()) return false;
    const auto *cond = dyn_cast_or_null<BinaryOperator>(fs->getCond() ? fs->getCond()->IgnoreParenImpCasts() : nullptr);
    if (!cond || cond->getOpcode() != BO_LT || varOf(cond->getLHS()) != index) return false;
    const CallExpr *size = callNamed(cond->getRHS(), "xp_size");
    if (!size || size->getNumArgs() != 2 || !isZero(size->getArg(1), ast)) return false;
    xs = varOf(size->getArg(0));
    if (!xs || !xs->hasLocalStorage()) return false;
    const Expr *inc = fs->getInc() ? fs->getInc()->IgnoreParenImpCasts() : nullptr;
    if (const auto *uo = dyn_cast_or_null<UnaryOperator>(inc))
        return uo->isIncrementOp() && varOf(uo->getSubExpr()) == index;
    if (const auto *ca = dyn_cast_or_null<CompoundAssignOperator>(inc))
        return ca->getOpcode() == BO_AddAssign && varOf(ca->getLHS()) == index && isOne(ca->getRHS(), ast);
    return false;
}

namespace {
// Installs call hooks for a region and removes them when it ends.
struct HookScope {
    Interp &I;
    std::vector<const CallExpr *> keys;
    ~HookScope() {
        for (const CallExpr *k : keys) I.callHooks_.erase(k);
    }
};
}  // namespace

Flow Interp::execMap(const ForStmt *fs) {
    PragmaRecord *rec = ctx_.stmtPragmas.at(fs);
    rec->used = true;
    SourceLocation loc = fs->getForLoc();
    MapScan s;
    const VarDecl *xsVar = nullptr;
    bool indexDeclared = false;
    if (!mapLoopForm(fs, ast_, s.index, xsVar, indexDeclared)) {
        diag_.error(loc, DiagId::MapLoopForm) << SourceRange(fs->getForLoc(), fs->getRParenLoc());
        return Flow::Error;
    }
    s.mapped.push_back(xsVar);
    scanCollect(fs->getBody(), s, ast_);
    for (const VarDecl *o : s.outs)
        if (std::find(s.mapped.begin(), s.mapped.end(), o) != s.mapped.end()) {
            // Both read and written per slice: reading it is the error.
            for (const auto &kv : s.reads)
                if (s.mapped[kv.second] == o) {
                    std::string name = o->getNameAsString(), idx = s.index->getNameAsString();
                    Report r = diag_.error(kv.first->getExprLoc(), DiagId::MapReadsOutside);
                    r << name << "xp_select(" + name + ", 0, " + idx + ")" << kv.first->getSourceRange();
                    r.note(kv.first->getExprLoc(), DiagId::NoteMapOutput) << idx;
                    return Flow::Error;
                }
        }
    if (!scanCheck(*this, fs->getBody(), s, 0, 0)) return Flow::Error;

    auto tensorOf = [&](const VarDecl *vd, xp_cref &out) {
        std::shared_ptr<Cell> cell = lookupLocal(vd);
        if (cell && cell->v.kind == VK::Tensor) {
            out = cell->v.t;
            return true;
        }
        diag_.error(loc, DiagId::OpArgKind) << vd->getNameAsString() << "map" << "a tensor"
                                            << describeKind(cell ? cell->v.kind : VK::Undef);
        return false;
    };
    std::vector<xp_cref> xs(s.mapped.size()), ys(s.outs.size());
    for (size_t k = 0; k < s.mapped.size(); k++)
        if (!tensorOf(s.mapped[k], xs[k])) return Flow::Error;
    for (size_t k = 0; k < s.outs.size(); k++)
        if (!tensorOf(s.outs[k], ys[k])) return Flow::Error;
    const xp_meta *m0 = xp_capture_meta(cap_, xs[0]);
    if (!m0 || m0->ndim < 1) {
        diag_.error(loc, DiagId::ControlFlowFailed)
            << "'" + xsVar->getNameAsString() + "' has no leading dim to map over";
        return Flow::Error;
    }
    xp_dim count = m0->shape[0];

    Snapshot snap = takeSnapshot(frames_);
    std::vector<xp_cref> slices(xs.size());
    if (xp_capture_map_begin(cap_, int(xs.size()), xs.data(), srcloc(loc), slices.data()) != XP_OK) {
        diag_.error(loc, DiagId::ControlFlowFailed) << xp_last_error();
        return Flow::Error;
    }
    std::vector<xp_cref> bodyOuts(ys.size(), XP_CREF_NONE);
    Flow f;
    {
        HookScope hooks{*this, {}};
        for (const auto &kv : s.reads) {
            xp_cref slice = slices[kv.second];
            const CallExpr *ce = kv.first;
            callHooks_[ce] = [slice, ce](Value &out) {
                out = Value::mkTensor(slice, ce->getBeginLoc());
                return true;
            };
            hooks.keys.push_back(ce);
        }
        for (const auto &kv : s.writes) {
            size_t k = kv.second;
            const CallExpr *ce = kv.first;
            callHooks_[ce] = [this, k, ce, &bodyOuts](Value &out) {
                Value v;
                if (!eval(ce->getArg(1), v)) return false;
                xp_cref t;
                if (!tensorArg(ce, 1, "xp_copy_", v, t)) return false;
                bodyOuts[k] = t;
                out = v;
                return true;
            };
            hooks.keys.push_back(ce);
        }
        f = exec(fs->getBody());
    }
    if (f == Flow::Error) {
        restore(snap);
        xp_capture_region_abort(cap_);
        return Flow::Error;
    }
    // What the static scan cannot see (writes through pointers) must not
    // escape either.
    for (const auto &e : snap.cells) {
        if (same(e.before, e.cell->v)) continue;
        std::string name = e.cell->var ? e.cell->var->getNameAsString() : std::string("a temporary");
        diag_.error(loc, DiagId::MapEscape) << name;
        restore(snap);
        xp_capture_region_abort(cap_);
        return Flow::Error;
    }
    for (size_t k = 0; k < ys.size(); k++) {
        if (bodyOuts[k] != XP_CREF_NONE) continue;
        diag_.error(loc, DiagId::MapOutputUnwritten) << s.outs[k]->getNameAsString() << s.index->getNameAsString();
        xp_capture_region_abort(cap_);
        return Flow::Error;
    }
    std::vector<xp_cref> outs(ys.size());
    if (xp_capture_map_end(cap_, int(ys.size()), bodyOuts.data(), outs.data()) != XP_OK) {
        diag_.error(loc, DiagId::ControlFlowFailed) << xp_last_error();
        xp_capture_region_abort(cap_);
        return Flow::Error;
    }
    // ys holds the stacked slices: copied into it, so that a ys that is an
    // input or a view is updated as eagerly (functionalized like any copy_).
    const xp_op_def *copy = xp_op_find("copy_");
    for (size_t k = 0; k < ys.size(); k++) {
        xp_carg args[2] = {xp_carg_t(ys[k]), xp_carg_t(outs[k])};
        xp_cref res;
        if (!copy || xp_capture_op(cap_, copy->id, args, 2, srcloc(loc), &res) != XP_OK) {
            Report r = diag_.error(loc, DiagId::OpFailed);
            r << (copy ? std::string(xp_last_error()) : std::string("no 'copy_' op in the registry"));
            r.note(s.outs[k]->getLocation(), DiagId::NoteDeclaredHere) << s.outs[k]->getNameAsString();
            return Flow::Error;
        }
        if (std::shared_ptr<Cell> cell = lookupLocal(s.outs[k])) cell->v.t = res;
    }
    // After the loop, C leaves the index at the trip count.
    if (!indexDeclared)
        if (std::shared_ptr<Cell> cell = lookupLocal(s.index)) cell->v = Value::mkInt(count);  // a size: maybe symbolic
    return Flow::Normal;
}

// ---- the function forms ----

static bool branchFn(Interp &I, const CallExpr *ce, unsigned k, const char *param, const char *fn,
                     const FunctionDecl *&def) {
    Value v;
    if (!I.eval(ce->getArg(k), v)) return false;
    def = v.kind == VK::Function && v.fn ? v.fn->getDefinition() : nullptr;
    if (def && def->hasBody()) return true;
    std::string what = v.kind == VK::Function ? "'" + v.fn->getNameAsString() + "', which is only declared here"
                                              : std::string(describeKind(v.kind));
    I.diag_.error(ce->getArg(k)->getExprLoc(), DiagId::CfFnUnresolved)
        << param << fn << what << ce->getArg(k)->getSourceRange();
    return false;
}

static bool countAndList(Interp &I, const CallExpr *ce, unsigned nArg, const char *fn, Value &n, Value &list) {
    if (!I.eval(ce->getArg(nArg), n) || !I.eval(ce->getArg(nArg + 1), list)) return false;
    if (!n.isConcreteInt() || n.i < 0 || n.i > 64) {
        I.diag_.error(ce->getArg(nArg)->getExprLoc(), DiagId::OpArgKind)
            << "n" << fn << "a constant count" << describeKind(n.kind) << ce->getArg(nArg)->getSourceRange();
        return false;
    }
    std::vector<Value> elems;
    if (n.i > 0) {
        if (list.kind != VK::Pointer) {
            I.diag_.error(ce->getArg(nArg + 1)->getExprLoc(), DiagId::OpArgKind)
                << "operands" << fn << "an array of tensors" << describeKind(list.kind)
                << ce->getArg(nArg + 1)->getSourceRange();
            return false;
        }
        if (!I.readElements(list, n.i, ce->getArg(nArg + 1), elems)) return false;
    }
    for (const Value &e : elems)
        if (e.kind != VK::Tensor) {
            I.diag_.error(ce->getArg(nArg + 1)->getExprLoc(), DiagId::OpArgKind)
                << "operands" << fn << "an array of tensors" << "an array holding " + std::string(describeKind(e.kind))
                << ce->getArg(nArg + 1)->getSourceRange();
            return false;
        }
    return true;
}

static bool inlineToTensor(Interp &I, const FunctionDecl *def, const CallExpr *ce, std::vector<Value> args,
                           const char *param, const char *fn, xp_cref &out) {
    Value r;
    if (!I.callInline(def, ce, args, r)) return false;
    if (r.kind == VK::Tensor) {
        out = r.t;
        return true;
    }
    I.diag_.error(ce->getExprLoc(), DiagId::OpArgKind)
        << param << fn << "a function returning a tensor" << "'" + def->getNameAsString() + "', which returns " +
                                                                 describeKind(r.kind)
        << ce->getSourceRange();
    return false;
}

bool Interp::callCond(const CallExpr *ce, Value &out) {
    if (ce->getNumArgs() != 5) return unsupportedExpr(ce, "this call of 'xp_cond'");
    Value pred;
    if (!eval(ce->getArg(0), pred)) return false;
    xp_cref p;
    if (!tensorArg(ce, 0, "xp_cond", pred, p)) return false;
    const FunctionDecl *tf, *ff;
    if (!branchFn(*this, ce, 1, "true_fn", "xp_cond", tf) || !branchFn(*this, ce, 2, "false_fn", "xp_cond", ff))
        return false;
    Value n, operands;
    if (!countAndList(*this, ce, 3, "xp_cond", n, operands)) return false;
    SourceLocation loc = ce->getBeginLoc();
    if (xp_capture_cond_begin(cap_, p, srcloc(loc)) != XP_OK) {
        diag_.error(ce->getArg(0)->getExprLoc(), DiagId::ControlFlowFailed) << xp_last_error() << ce->getSourceRange();
        return false;
    }
    xp_cref t, f, res;
    if (!inlineToTensor(*this, tf, ce, {n, operands}, "true_fn", "xp_cond", t) ||
        xp_capture_cond_else(cap_) != XP_OK ||
        !inlineToTensor(*this, ff, ce, {n, operands}, "false_fn", "xp_cond", f)) {
        if (!diag_.failed()) diag_.error(loc, DiagId::ControlFlowFailed) << xp_last_error();
        xp_capture_region_abort(cap_);
        return false;
    }
    if (xp_capture_cond_end(cap_, 1, &t, &f, &res) != XP_OK) {
        diag_.error(ce->getExprLoc(), DiagId::ControlFlowFailed) << xp_last_error() << ce->getSourceRange();
        xp_capture_region_abort(cap_);
        return false;
    }
    out = Value::mkTensor(res, loc);
    return true;
}

bool Interp::callMap(const CallExpr *ce, Value &out) {
    if (ce->getNumArgs() != 4) return unsupportedExpr(ce, "this call of 'xp_map'");
    const FunctionDecl *fn;
    if (!branchFn(*this, ce, 0, "fn", "xp_map", fn)) return false;
    Value xs;
    if (!eval(ce->getArg(1), xs)) return false;
    xp_cref x;
    if (!tensorArg(ce, 1, "xp_map", xs, x)) return false;
    Value n, extras;
    if (!countAndList(*this, ce, 2, "xp_map", n, extras)) return false;
    SourceLocation loc = ce->getBeginLoc();
    xp_cref slice;
    if (xp_capture_map_begin(cap_, 1, &x, srcloc(loc), &slice) != XP_OK) {
        diag_.error(ce->getArg(1)->getExprLoc(), DiagId::ControlFlowFailed) << xp_last_error() << ce->getSourceRange();
        return false;
    }
    xp_cref body, res;
    if (!inlineToTensor(*this, fn, ce, {Value::mkTensor(slice, loc), n, extras}, "fn", "xp_map", body)) {
        xp_capture_region_abort(cap_);
        return false;
    }
    if (xp_capture_map_end(cap_, 1, &body, &res) != XP_OK) {
        diag_.error(ce->getExprLoc(), DiagId::ControlFlowFailed) << xp_last_error() << ce->getSourceRange();
        xp_capture_region_abort(cap_);
        return false;
    }
    out = Value::mkTensor(res, loc);
    return true;
}

}  // namespace xport::capture
