// Graph breaks: the constructs an exported graph cannot hold, reported at
// the construct in the words of docs/graph-breaks.md ("what is wrong — why
// it breaks the graph — what to do", the remedy in notes, a fix-it where
// the edit is mechanical). The other capture files call in here where they
// meet one; the texts themselves are in capture_diag.cpp.
#include "capture_interp.h"

#include "clang/AST/ParentMapContext.h"
#include "clang/Lex/Lexer.h"

namespace xport::capture {

using namespace clang;

namespace {

// The calls of xp_item_* inside `s`, outermost first: the reads of tensor
// values that make a condition data-dependent.
void itemCalls(const Stmt *s, std::vector<const CallExpr *> &out) {
    if (!s) return;
    if (const auto *ce = dyn_cast<CallExpr>(s))
        if (const FunctionDecl *fd = ce->getDirectCallee())
            if (fd->getName().starts_with("xp_item_")) {
                out.push_back(ce);
                return;
            }
    for (const Stmt *child : s->children()) itemCalls(child, out);
}

bool isTensorType(QualType t) {
    if (!t->isPointerType()) return false;
    const RecordDecl *rd = t->getPointeeType()->getAsRecordDecl();
    return rd && rd->getName() == "xp_tensor";
}

// The tensor variables (and model fields) an expression reads, in order.
void tensorNames(const Interp &in, const Stmt *s, std::vector<std::string> &out) {
    if (!s) return;
    if (const auto *e = dyn_cast<Expr>(s)) {
        const Expr *bare = e->IgnoreParenImpCasts();
        if ((isa<DeclRefExpr>(bare) || isa<MemberExpr>(bare)) && isTensorType(bare->getType())) {
            std::string name = in.sourceText(bare);
            if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
            return;
        }
    }
    for (const Stmt *child : s->children()) tensorNames(in, child, out);
}

std::string describeTensors(const Interp &in, const std::vector<const CallExpr *> &items) {
    std::vector<std::string> names;
    for (const CallExpr *item : items)
        if (item->getNumArgs() > 0) tensorNames(in, item->getArg(0), names);
    const CallExpr *item = items.front();
    if (names.empty()) return "tensor '" + (item->getNumArgs() > 0 ? in.sourceText(item->getArg(0)) : "?") + "'";
    std::string s = names.size() == 1 ? "tensor " : "tensors ";
    for (size_t k = 0; k < names.size(); k++) {
        if (k > 0) s += k + 1 == names.size() ? " and " : ", ";
        s += "'" + names[k] + "'";
    }
    return s;
}

// `#pragma xport cond` on its own line above `is`, indented like it; none
// when the `if` is not the first thing on its line (`} else if`) or comes
// from a macro.
bool condFixIt(const IfStmt *is, const SourceManager &sm, FixItHint &out) {
    SourceLocation loc = is->getIfLoc();
    if (loc.isInvalid() || loc.isMacroID()) return false;
    auto [fid, off] = sm.getDecomposedLoc(loc);
    bool invalid = false;
    StringRef buf = sm.getBufferData(fid, &invalid);
    if (invalid || off > buf.size()) return false;
    unsigned start = off;
    while (start > 0 && buf[start - 1] != '\n' && buf[start - 1] != '\r') start--;
    StringRef indent = buf.substr(start, off - start);
    if (indent.find_first_not_of(" \t") != StringRef::npos) return false;
    out = FixItHint::CreateInsertion(loc, ("#pragma xport cond\n" + indent).str());
    return true;
}

}  // namespace

bool Interp::dataDependentCondition(const Expr *cond, const Stmt *construct) {
    std::vector<const CallExpr *> items;
    itemCalls(cond, items);
    if (items.empty()) return false;
    std::string what;
    DiagId note = DiagId::NoteDataLoop;
    if (isa<IfStmt>(construct)) what = "'if'", note = DiagId::NoteMarkCond;
    else if (isa<ForStmt>(construct)) what = "'for' loop";
    else if (isa<WhileStmt>(construct)) what = "'while' loop";
    else if (isa<DoStmt>(construct)) what = "'do' loop";
    else if (isa<SwitchStmt>(construct)) what = "'switch'", note = DiagId::NoteDataSwitch;
    else if (isa<AbstractConditionalOperator>(construct)) what = "'?:'", note = DiagId::NoteDataConditional;
    else if (const auto *bo = dyn_cast<BinaryOperator>(construct))
        what = "'" + BinaryOperator::getOpcodeStr(bo->getOpcode()).str() + "'", note = DiagId::NoteShortCircuit;
    else what = "this statement";
    Report r = diag_.error(cond->getBeginLoc(), DiagId::DataDependentBranch);
    r << what << describeTensors(*this, items) << cond->getSourceRange();
    // The fix-it goes on the error: -fixit applies those of errors only.
    FixItHint fix;
    if (const auto *is = dyn_cast<IfStmt>(construct); is && condFixIt(is, sm_, fix)) r << fix;
    // The pragma goes before the 'if'; every other remedy is about the condition.
    SourceLocation at = isa<IfStmt>(construct) ? construct->getBeginLoc() : cond->getBeginLoc();
    if (note == DiagId::NoteShortCircuit) {
        r.note(at, DiagId::NoteShortCircuit) << what.substr(1, what.size() - 2);
        r.note(at, DiagId::NoteShortCircuitFix);
    } else {
        r.note(at, note);
    }
    return true;
}

Flow Interp::graphBreak(const Stmt *s, DiagId id, DiagId note, const std::string &arg) {
    Report r = diag_.error(s->getBeginLoc(), id);
    if (!arg.empty()) r << arg;
    r << s->getSourceRange();
    r.note(s->getBeginLoc(), note);
    return Flow::Error;
}

bool Interp::sideEffectCall(const std::string &rawName, const CallExpr *ce) {
    // glibc's fortified wrappers (__printf_chk) are the same calls.
    std::string name = rawName;
    if (name.rfind("__", 0) == 0 && name.size() > 6 && name.compare(name.size() - 4, 4, "_chk") == 0)
        name = name.substr(2, name.size() - 6);
    static const char *const kOutput[] = {"printf",  "fprintf", "vprintf", "vfprintf", "dprintf", "sprintf",
                                          "snprintf", "vsprintf", "vsnprintf", "puts",  "fputs",   "putchar",
                                          "putc",    "fputc",   "perror",  "fwrite",   "write",   "fflush"};
    for (const char *out : kOutput) {
        if (name != out) continue;
        Report r = diag_.error(ce->getExprLoc(), DiagId::SideEffectCall);
        r << name << ce->getSourceRange();
        r.note(ce->getExprLoc(), DiagId::NoteSideEffect);
        return true;
    }
    const char *jump = name.find("setjmp") != std::string::npos    ? "setjmp"
                       : name.find("longjmp") != std::string::npos ? "longjmp"
                                                                   : nullptr;
    if (jump) {
        Report r = diag_.error(ce->getExprLoc(), DiagId::NonLocalJump);
        r << jump << ce->getSourceRange();
        r.note(ce->getExprLoc(), DiagId::NoteNonLocalJump);
        return true;
    }
    return false;
}

bool Interp::volatileCast(const CastExpr *ce) {
    QualType to = ce->getType();
    if (!to->isPointerType() || !to->getPointeeType().isVolatileQualified()) return false;
    QualType from = ce->getSubExpr()->getType();
    if (from->isPointerType() && from->getPointeeType().isVolatileQualified()) return false;
    Report r = diag_.error(ce->getExprLoc(), DiagId::VolatileAccess);
    r << sourceText(ce->getSubExpr()->IgnoreParenImpCasts()) << ce->getSourceRange();
    r.note(ce->getExprLoc(), DiagId::NoteVolatile);
    return true;
}

bool Interp::inLoopCondition(const Expr *e) {
    const Stmt *cur = e;
    for (int depth = 0; depth < 64; depth++) {
        DynTypedNodeList parents = ast_.getParents(*cur);
        if (parents.empty()) return false;
        const Stmt *p = parents[0].get<Stmt>();
        if (!p) return false;
        if (const auto *f = dyn_cast<ForStmt>(p)) return f->getCond() == cur;
        if (const auto *w = dyn_cast<WhileStmt>(p)) return w->getCond() == cur;
        if (const auto *d = dyn_cast<DoStmt>(p)) return d->getCond() == cur;
        if (!isa<Expr>(p)) return false;
        cur = p;
    }
    return false;
}

}  // namespace xport::capture
