// Statements: sequencing, declarations, and control flow resolved at export
// time. A branch whose condition is a constant, or is decided by the
// declared ranges of the dims, is captured on its taken side only; a loop
// whose condition folds to constants is unrolled. Anything else is an error
// at the construct (never silently skipped).
#include "capture_interp.h"

#include <algorithm>

namespace xport::capture {

using namespace clang;

Flow Interp::unsupportedStmt(const Stmt *s, const std::string &what) {
    diag_.error(s->getBeginLoc(), DiagId::UnsupportedStmt) << what << s->getSourceRange();
    return Flow::Error;
}

Flow Interp::exec(const Stmt *s) {
    if (!s) return Flow::Normal;
    switch (s->getStmtClass()) {
    case Stmt::CompoundStmtClass: {
        const auto *cs = cast<CompoundStmt>(s);
        for (const Stmt *const *it = cs->body_begin(); it != cs->body_end(); ++it) {
            // A cond 'if' may take the statements after it as its false
            // branch (`if (p) return a; return b;`, capture_control.cpp).
            if (const auto *is = dyn_cast<IfStmt>(*it); is && ctx_.stmtPragmas.count(is)) {
                bool consumed = false;
                Flow f = execCond(is, it + 1, cs->body_end(), consumed);
                if (f != Flow::Normal || consumed) return f;
                continue;
            }
            Flow f = exec(*it);
            if (f != Flow::Normal) return f;
        }
        return Flow::Normal;
    }
    case Stmt::DeclStmtClass:
        return execDecl(cast<DeclStmt>(s));
    case Stmt::NullStmtClass:
        return Flow::Normal;
    case Stmt::ReturnStmtClass: {
        const auto *rs = cast<ReturnStmt>(s);
        Value v;
        if (const Expr *e = rs->getRetValue())
            if (!eval(e, v)) return Flow::Error;
        Frame &fr = frames_.back();  // after eval: calls push and pop frames
        fr.ret = std::move(v);
        fr.returned = true;
        fr.retLoc = rs->getBeginLoc();
        return Flow::Return;
    }
    case Stmt::IfStmtClass:
        return execIf(cast<IfStmt>(s));
    case Stmt::ForStmtClass:
        return execFor(cast<ForStmt>(s));
    case Stmt::WhileStmtClass:
        return execWhile(cast<WhileStmt>(s));
    case Stmt::DoStmtClass:
        return execDo(cast<DoStmt>(s));
    case Stmt::SwitchStmtClass:
        return execSwitch(cast<SwitchStmt>(s));
    case Stmt::BreakStmtClass:
        return Flow::Break;
    case Stmt::ContinueStmtClass:
        return Flow::Continue;
    case Stmt::CaseStmtClass:
    case Stmt::DefaultStmtClass:
        // Reached by falling through inside a switch body.
        return exec(cast<SwitchCase>(s)->getSubStmt());
    case Stmt::LabelStmtClass:
        // A label is harmless; only jumping to it (goto) is rejected.
        return exec(cast<LabelStmt>(s)->getSubStmt());
    case Stmt::AttributedStmtClass:
        return exec(cast<AttributedStmt>(s)->getSubStmt());
    case Stmt::GotoStmtClass:
    case Stmt::IndirectGotoStmtClass:
        return graphBreak(s, DiagId::GotoStmt, DiagId::NoteGoto);
    case Stmt::GCCAsmStmtClass:
    case Stmt::MSAsmStmtClass:
        return graphBreak(s, DiagId::InlineAsm, DiagId::NoteInlineAsm);
    default:
        if (const auto *e = dyn_cast<Expr>(s)) {
            Value ignored;
            return eval(e, ignored) ? Flow::Normal : Flow::Error;
        }
        return unsupportedStmt(s, std::string("statement '") + s->getStmtClassName() + "'");
    }
}

Flow Interp::execDecl(const DeclStmt *ds) {
    for (const Decl *d : ds->decls()) {
        const auto *vd = dyn_cast<VarDecl>(d);
        if (!vd) {
            // Local types, enums, function prototypes, static asserts: nothing to run.
            if (isa<TypeDecl>(d) || isa<FunctionDecl>(d) || d->getKind() == Decl::StaticAssert) continue;
            return unsupportedStmt(ds, std::string("declaration '") + d->getDeclKindName() + "'");
        }
        if (vd->getType().isVolatileQualified()) {
            Report r = diag_.error(vd->getLocation(), DiagId::VolatileVar);
            r << vd->getNameAsString() << vd->getSourceRange();
            r.note(vd->getLocation(), DiagId::NoteVolatile);
            return Flow::Error;
        }
        if (vd->hasExternalStorage()) continue;  // a block-scope `extern` declaration
        if (vd->isStaticLocal()) {
            // A constant static local is read like a global constant.
            if (vd->getType().isConstant(ast_)) continue;
            Report r = diag_.error(vd->getLocation(), DiagId::StaticLocal);
            r << vd->getNameAsString() << vd->getSourceRange();
            r.note(vd->getLocation(), DiagId::NoteStaticLocal);
            return Flow::Error;
        }
        if (vd->getType()->isVariableArrayType()) {
            Report r = diag_.error(vd->getLocation(), DiagId::VlaLocal);
            r << vd->getNameAsString() << vd->getSourceRange();
            r.note(vd->getLocation(), DiagId::NoteVla);
            return Flow::Error;
        }
        auto cell = std::make_shared<Cell>();
        cell->var = vd;
        if (const Expr *init = vd->getInit()) {
            if (!initValue(vd->getType(), init, cell->v)) return Flow::Error;
        } else if (!defaultValue(vd->getType(), false, vd->getLocation(), cell->v)) {
            return Flow::Error;
        }
        // A declaration executed again (in a loop) gives a fresh object.
        frames_.back().locals[vd] = cell;
    }
    return Flow::Normal;
}

// ---- conditions ----

std::vector<int> Interp::symbolsOf(xp_dim d) const {
    int syms[16];
    int n = xp_dim_symbols(prog_->syms, d, syms, 16);
    return std::vector<int>(syms, syms + std::min(n, 16));
}

void Interp::reportUndecided(const Value &v, const Expr *at, const char *construct, DiagId hint,
                             const std::string &source) {
    // A relation a declaration can decide: the capture restarts with that
    // declaration (capture_fix.cpp), which reports it with its fix-it.
    // An assertion must hold, so only the change that makes it true will do.
    bool isAssert = hint == DiagId::NoteNarrowRangeAssert;
    FixSite site;
    site.kind = isAssert ? FixSite::Kind::Assertion
                : hint == DiagId::NoteLoopNeedsMap ? FixSite::Kind::Loop
                                                   : FixSite::Kind::Condition;
    site.loc = at->getExprLoc();
    site.relLoc = v.relLoc;
    site.range = at->getSourceRange();
    site.construct = construct;
    site.source = source.empty() ? sourceText(at) : source;
    site.valueText = v.text;
    site.rangesText = rangesText(v.syms);
    if (offerFix(std::move(site), v.hasWhenTrue ? &v.whenTrue : nullptr,
                 !isAssert && v.hasWhenFalse ? &v.whenFalse : nullptr, v.syms))
        return;
    Report r = diag_.error(at->getExprLoc(), DiagId::Undecided);
    r << construct << (source.empty() ? sourceText(at) : source) << v.text << rangesText(v.syms)
      << at->getSourceRange();
    noteDims(r, v.syms);
    r.note(at->getExprLoc(), hint);
}

bool Interp::truth(const Value &v, const Expr *at, const char *construct, DiagId hint, bool &out) {
    Value b = v;
    if (!toBool(b, at)) return false;
    if (b.kind == VK::Undecided) {
        reportUndecided(b, at, construct, hint);
        return false;
    }
    out = b.i != 0;
    return true;
}

bool Interp::decide(const Expr *cond, const char *construct, DiagId hint, bool &out) {
    Value v;
    if (!eval(cond, v)) return false;
    return truth(v, cond, construct, hint, out);
}

// ---- branches ----

Flow Interp::execIf(const IfStmt *is) {
    if (ctx_.stmtPragmas.count(is)) {
        bool consumed = false;
        return execCond(is, nullptr, nullptr, consumed);
    }
    if (is->getInit()) {
        Flow f = exec(is->getInit());
        if (f != Flow::Normal) return f;
    }
    // `assert(c)` in GNU C: `if (c) ; else __assert_fail("c", ...);`
    if (const CallExpr *fail = assertFailCall(is->getElse()); fail && isa<NullStmt>(is->getThen()))
        return checkAssertion(is->getCond(), fail) ? Flow::Normal : Flow::Error;
    if (dataDependentCondition(is->getCond(), is)) return Flow::Error;
    bool taken = false;
    if (!decide(is->getCond(), "'if' condition", DiagId::NoteNarrowRangeIf, taken)) return Flow::Error;
    if (taken) return exec(is->getThen());
    return exec(is->getElse());
}

Flow Interp::execSwitch(const SwitchStmt *ss) {
    if (ss->getInit()) {
        Flow f = exec(ss->getInit());
        if (f != Flow::Normal) return f;
    }
    if (dataDependentCondition(ss->getCond(), ss)) return Flow::Error;
    Value v;
    if (!eval(ss->getCond(), v)) return Flow::Error;
    if (!v.isIntLike()) return unsupportedStmt(ss, "'switch' on " + std::string(describeKind(v.kind)));
    if (xp_dim_is_sym(v.i)) {
        Report r = diag_.error(ss->getCond()->getExprLoc(), DiagId::NotConstant);
        r << "the 'switch' value" << "the size '" + dimText(v.i) + "'" << ss->getCond()->getSourceRange();
        noteDims(r, symbolsOf(v.i));
        return Flow::Error;
    }
    const auto *body = dyn_cast_or_null<CompoundStmt>(ss->getBody());
    if (!body) return unsupportedStmt(ss, "a 'switch' whose body is not a block");
    // Every label must sit at the top level of the body (possibly in a
    // chain `case 1: case 2: ...`): a label inside a nested statement would
    // jump into it.
    std::vector<const SwitchCase *> top;
    for (const Stmt *child : body->body()) {
        for (const Stmt *st = child; st && isa<SwitchCase>(st); st = cast<SwitchCase>(st)->getSubStmt())
            top.push_back(cast<SwitchCase>(st));
    }
    for (const SwitchCase *sc = ss->getSwitchCaseList(); sc; sc = sc->getNextSwitchCase())
        if (std::find(top.begin(), top.end(), sc) == top.end())
            return unsupportedStmt(sc, "a 'case' label inside a nested statement");
    // Find the first top-level statement whose label chain matches.
    const Stmt *const *begin = body->body_begin(), *const *end = body->body_end();
    const Stmt *const *start = end, *const *dflt = end;
    for (const Stmt *const *it = begin; it != end && start == end; ++it) {
        for (const Stmt *st = *it; st && isa<SwitchCase>(st); st = cast<SwitchCase>(st)->getSubStmt()) {
            if (isa<DefaultStmt>(st)) {
                if (dflt == end) dflt = it;
                continue;
            }
            const auto *cs = cast<CaseStmt>(st);
            int64_t lo = cs->getLHS()->EvaluateKnownConstInt(ast_).getSExtValue();
            int64_t hi = cs->getRHS() ? cs->getRHS()->EvaluateKnownConstInt(ast_).getSExtValue() : lo;
            if (v.i >= lo && v.i <= hi) {
                start = it;
                break;
            }
        }
    }
    if (start == end) start = dflt;
    for (const Stmt *const *it = start; it != end; ++it) {
        Flow f = exec(*it);
        if (f == Flow::Break) return Flow::Normal;
        if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
}

// ---- loops: unrolled ----

bool Interp::countIteration(const Stmt *loop) {
    if (++iterations_ <= kMaxIterations) return true;
    diag_.error(loop->getBeginLoc(), DiagId::LoopTooLong) << fnName() << std::to_string(kMaxIterations);
    return false;
}

// Runs one iteration's body. `stop` is set when the loop must end (break,
// return, error); `f` is what the loop statement then reports.
bool Interp::loopBody(const Stmt *body, Flow &f, bool &stop) {
    Flow b = exec(body);
    stop = false;
    switch (b) {
    case Flow::Normal:
    case Flow::Continue:
        return true;
    case Flow::Break:
        f = Flow::Normal;
        stop = true;
        return true;
    case Flow::Return:
        f = Flow::Return;
        stop = true;
        return true;
    case Flow::Error:
        f = Flow::Error;
        stop = true;
        return false;
    }
    return true;
}

// Statement pragmas are only cond (on an 'if') and map (on a 'for'): attach.cpp
// rejects any other placement, so loops here carry no pragma but map.
Flow Interp::execFor(const ForStmt *fs) {
    if (auto pragma = ctx_.stmtPragmas.find(fs);
        pragma != ctx_.stmtPragmas.end() && pragma->second->parsed.kind == XP_PRAGMA_MAP)
        return execMap(fs);
    if (dataDependentCondition(fs->getCond(), fs)) return Flow::Error;
    if (fs->getInit()) {
        Flow f = exec(fs->getInit());
        if (f != Flow::Normal) return f;
    }
    for (;;) {
        if (fs->getCond()) {
            bool go = false;
            if (!decide(fs->getCond(), "loop condition", DiagId::NoteLoopNeedsMap, go)) return Flow::Error;
            if (!go) break;
        }
        if (!countIteration(fs)) return Flow::Error;
        Flow f = Flow::Normal;
        bool stop = false;
        loopBody(fs->getBody(), f, stop);
        if (stop) return f;
        if (fs->getInc()) {
            Value ignored;
            if (!eval(fs->getInc(), ignored)) return Flow::Error;
        }
    }
    return Flow::Normal;
}

Flow Interp::execWhile(const WhileStmt *ws) {
    if (dataDependentCondition(ws->getCond(), ws)) return Flow::Error;
    for (;;) {
        bool go = false;
        if (!decide(ws->getCond(), "loop condition", DiagId::NoteLoopNeedsMap, go)) return Flow::Error;
        if (!go) break;
        if (!countIteration(ws)) return Flow::Error;
        Flow f = Flow::Normal;
        bool stop = false;
        loopBody(ws->getBody(), f, stop);
        if (stop) return f;
    }
    return Flow::Normal;
}

Flow Interp::execDo(const DoStmt *ds) {
    if (dataDependentCondition(ds->getCond(), ds)) return Flow::Error;
    for (;;) {
        if (!countIteration(ds)) return Flow::Error;
        Flow f = Flow::Normal;
        bool stop = false;
        loopBody(ds->getBody(), f, stop);
        if (stop) return f;
        bool go = false;
        if (!decide(ds->getCond(), "loop condition", DiagId::NoteLoopNeedsMap, go)) return Flow::Error;
        if (!go) break;
    }
    return Flow::Normal;
}

}  // namespace xport::capture
