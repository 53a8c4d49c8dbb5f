// The capture interpreter: runs an exported function's AST at compile time
// over abstract values (capture_value.h) and turns every tensor operation
// into a call of the C capture library. One instance per exported function.
//
// The work is split by job:
//   capture.cpp         entry point, symbols, parameters (inputs), outputs
//   capture_stmt.cpp    statements and control flow (unrolling, branches)
//   capture_expr.cpp    expressions: operators, casts, members, subscripts
//   capture_arith.cpp   C arithmetic, conversions and comparisons on values
//   capture_memory.cpp  objects: locals, globals, the model struct, weights
//   capture_call.cpp    calls: ops (via the C API table), API functions,
//                       inlined helpers, constant math functions
//   capture_diag.cpp    diagnostic texts and the "in call from" notes
//
// Every member function that can fail returns false after emitting a
// diagnostic (or after Clang already reported the broken code).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"

#include "capture_diag.h"
#include "capture_value.h"
#include "xport_plugin.h"

extern "C" {
#include "ops/xp_capi.h"
}

namespace xport::capture {

// The call `__assert_fail(...)` (or another C library's spelling) that an
// `assert` macro expands to, when `s` is one.
const clang::CallExpr *assertFailCall(const clang::Stmt *s);

// ---- suggested fixes (capture_fix.cpp) ----

// The dim declarations one capture runs with: each `dim` pragma's range as
// narrowed by the suggested fixes so far, and the dims a fix merged into
// another one (their sizes must be equal: they use its name).
struct DimDecl {
    const PragmaRecord *rec = nullptr;
    int64_t min = 0, max = XP_SYM_MAX_DEFAULT;
};
struct DimDecls {
    std::map<std::string, DimDecl> dims;         // by name, from the pragmas
    std::map<std::string, std::string> merged;   // a merged dim -> the dim it is now
    size_t fixesLeft = 0;                        // changes the fixpoint may still make
    // The name a dim is known by now (following merges).
    std::string resolve(const std::string &name) const;
};

// One change to the declarations (torch.export's "suggested fix").
struct DimChange {
    xp_fix_kind kind = XP_FIX_NONE;
    std::string dim;       // MIN/MAX/CONST: the dim; EQUAL: the dim that is kept
    std::string other;     // EQUAL: the dim that takes `dim`'s name
    int64_t value = 0;     // MIN/MAX/CONST
    int64_t keptMin = 0, keptMax = 0;  // EQUAL: the kept dim's range after merging
    std::string relation;  // what it makes hold: "x0 <= 16"
};

// A relation the declared ranges did not decide, where the capture met it,
// and the change that decides it.
struct FixSite {
    enum class Kind { Condition, Loop, Assertion, Op } kind = Kind::Condition;
    clang::SourceLocation loc;
    clang::SourceLocation relLoc;  // Condition/Loop/Assertion: the comparison in it that needed the change
    clang::SourceRange range;
    std::string construct;   // Condition/Assertion: "'if' condition", "assertion"
    std::string source;      // Condition/Assertion: the condition as written
    std::string valueText;   // Condition/Assertion: "x0 <= 16"
    std::string rangesText;  // Condition/Assertion: "'x0' in [0, inf]"
    std::string message;     // Op: the shape function's message
    std::vector<DiagPart> shapes;         // Op: the operands' shapes
    std::vector<DiagPart> calls;          // the "in call from" notes
    std::vector<std::string> otherDims;   // dims it involves that the change leaves alone
    DimChange fix;                        // the change the capture applies
    bool fixMakesTrue = true;             // Condition: the change makes the condition true
    DimChange alt;                        // Condition: the change that makes it false instead
};

// XPORT_LOG=dynamic: one line per symbol, bound input dim, range decision and
// suggested fix, for the capture being run (printed by capture_fix.cpp).
struct DynLog {
    bool on = false;
    std::vector<std::string> lines;
    void add(std::string line) {
        if (on) lines.push_back(std::move(line));
    }
};
bool dynamicLogEnabled();

// What a statement tells its enclosing statement.
enum class Flow { Normal, Break, Continue, Return, Error };

// The total number of loop iterations unrolled in one exported function.
constexpr uint64_t kMaxIterations = 1000000;
// The largest local array the interpreter models.
constexpr uint64_t kMaxArrayElements = 1u << 20;

class Interp {
public:
    Interp(PluginContext &ctx, const ExportRequest &req, const DimDecls &decls, DynLog &log);
    ~Interp();
    Interp(const Interp &) = delete;
    Interp &operator=(const Interp &) = delete;

    // Captures req.fn; nullptr after errors, or when it met a relation that
    // a suggested fix decides (restartWith() says which): then it emitted
    // nothing, and the capture starts again with the fix applied.
    xp_program *run();
    const FixSite *restartWith() const { return restart_ ? &pendingFix_ : nullptr; }
    Diagnoser &diagnoser() { return diag_; }

    // ---- capture.cpp: setup and results ----
    bool declareDims();
    bool bindParams();
    bool shapeFromSpec(const xp_spec_shape &spec, const PragmaRecord &rec, const std::string &what,
                       std::vector<xp_dim> &shape);
    bool emitOutputs(const Value &ret, clang::SourceLocation at);

    // ---- capture_stmt.cpp ----
    Flow exec(const clang::Stmt *s);
    Flow execDecl(const clang::DeclStmt *ds);
    Flow execIf(const clang::IfStmt *is);
    Flow execFor(const clang::ForStmt *fs);
    Flow execWhile(const clang::WhileStmt *ws);
    Flow execDo(const clang::DoStmt *ds);
    Flow execSwitch(const clang::SwitchStmt *ss);
    bool loopBody(const clang::Stmt *body, Flow &f, bool &stop);
    bool countIteration(const clang::Stmt *loop);
    // Evaluates a condition and decides it, or reports why it cannot be.
    // `construct` names it in messages ("'if' condition").
    bool decide(const clang::Expr *cond, const char *construct, DiagId hint, bool &out);
    bool truth(const Value &v, const clang::Expr *at, const char *construct, DiagId hint, bool &out);
    // `source` is the condition as written (default: the text of `at`).
    void reportUndecided(const Value &v, const clang::Expr *at, const char *construct, DiagId hint,
                         const std::string &source = std::string());
    Flow unsupportedStmt(const clang::Stmt *s, const std::string &what);
    // When `primary` (or else `alt`) has a suggested fix, records `site` for
    // the restart, mutes the diagnostics and returns true.
    bool offerFix(FixSite site, const xp_requirement *primary, const xp_requirement *alt,
                  const std::vector<int> &syms);
    bool changeFor(const xp_requirement &req, DimChange &out);
    // A comparison the declared ranges decided (not constants alone): a
    // specialization of the program, recorded for `xport show` and logged.
    void recordDecision(const clang::Expr *at, bool value, xp_dim lhs, xp_dim rhs, const std::string &relation);
    std::string locText(clang::SourceLocation loc) const;
    std::string plainRanges(const std::vector<int> &syms) const;

    // ---- capture_expr.cpp ----
    bool eval(const clang::Expr *e, Value &out);
    bool evalLValue(const clang::Expr *e, LValue &out);
    bool tryFold(const clang::Expr *e, Value &out, bool &folded);
    bool evalCast(const clang::CastExpr *ce, Value &out);
    bool evalUnary(const clang::UnaryOperator *uo, Value &out);
    bool evalBinary(const clang::BinaryOperator *bo, Value &out);
    bool evalAssign(const clang::BinaryOperator *bo, Value &out);
    bool evalConditional(const clang::AbstractConditionalOperator *co, Value &out);
    bool checkAssertion(const clang::Expr *cond, const clang::CallExpr *fail);
    bool evalMemberLValue(const clang::MemberExpr *me, LValue &out);
    bool evalStmtExpr(const clang::StmtExpr *se, Value &out);
    bool unsupportedExpr(const clang::Expr *e, const std::string &what);

    // ---- capture_arith.cpp ----
    // C's conversion of `v` to type `to` (the implicit and explicit casts).
    bool convert(Value &v, clang::QualType to, const clang::Expr *at);
    bool toBool(Value &v, const clang::Expr *at);
    bool symbolicFits(xp_dim d, clang::QualType to, const clang::Expr *at);
    bool arith(clang::BinaryOperatorKind op, const Value &a, const Value &b, clang::QualType type,
               const clang::Expr *at, Value &out);
    bool intArith(clang::BinaryOperatorKind op, const Value &a, const Value &b, clang::QualType type,
                  const clang::Expr *at, Value &out);
    bool compare(clang::BinaryOperatorKind op, const Value &a, const Value &b, clang::QualType operandType,
                 const clang::Expr *at, Value &out);
    bool pointerArith(clang::BinaryOperatorKind op, const Value &a, const Value &b, const clang::Expr *at,
                      Value &out);
    // xp_sym_add/sub/mul/div and xp_sym_eq/ne/lt/le/gt/ge: the C operator
    // they name, through arith() and compare() (handled: the call was one).
    bool callSymHelper(const std::string &name, const clang::CallExpr *ce, bool &handled, Value &out);
    Value intOfType(int64_t v, clang::QualType t);
    int64_t wrapToType(int64_t v, clang::QualType t);
    bool isXpDtype(clang::QualType t) const;
    bool isTensorPtr(clang::QualType t) const;
    std::string dimText(xp_dim d) const;
    std::string rangesText(const std::vector<int> &syms) const;
    void noteDims(Report &r, const std::vector<int> &syms);
    std::vector<int> symbolsOf(xp_dim d) const;

    // ---- capture_memory.cpp ----
    bool load(const LValue &lv, const clang::Expr *at, Value &out);
    bool store(const LValue &lv, const Value &v, const clang::Expr *at);
    // Reports a write to a global or to the model struct.
    bool writable(const LValue &lv, const clang::Expr *at);
    bool loadModel(const LValue &lv, const clang::Expr *at, Value &out);
    bool loadWeight(const LValue &lv, const clang::Expr *at, Value &out);
    bool globalValue(const clang::VarDecl *vd, const clang::Expr *at, Value *&out);
    // The object a pointer designates, `offset` elements further.
    bool pointee(const Value &ptr, int64_t offset, const clang::Expr *at, LValue &out);
    // Reads `n` consecutive elements starting at a pointer.
    bool readElements(const Value &ptr, int64_t n, const clang::Expr *at, std::vector<Value> &out);
    bool decayArray(const LValue &lv, const clang::Expr *at, Value &out);
    Value addressOf(const LValue &lv);
    bool initValue(clang::QualType t, const clang::Expr *init, Value &out);
    bool defaultValue(clang::QualType t, bool zero, clang::SourceLocation at, Value &out);
    std::shared_ptr<Cell> lookupLocal(const clang::VarDecl *vd);
    std::string pathText(const LValue &lv) const;
    std::string lvalueName(const LValue &lv) const;

    // ---- capture_call.cpp ----
    bool evalCall(const clang::CallExpr *ce, Value &out);
    bool evalArgs(const clang::CallExpr *ce, std::vector<Value> &args);
    bool callOp(const xp_capi_fn *row, const clang::CallExpr *ce, const std::vector<Value> &args, Value &out);
    bool callApi(const std::string &name, const clang::CallExpr *ce, bool &handled, Value &out);
    bool callInline(const clang::FunctionDecl *def, const clang::CallExpr *ce, std::vector<Value> &args,
                    Value &out);
    bool callMath(const std::string &name, const clang::CallExpr *ce, bool &handled, Value &out);
    // ---- capture_custom.cpp: custom ops ----
    bool callCustomOp(const CustomOp &op, const clang::CallExpr *ce, Value &out);
    bool customOpMeta(const CustomOp &op, const clang::CallExpr *ce, const std::vector<Value> &args, xp_meta &out);
    bool tensorArg(const clang::CallExpr *ce, unsigned i, const char *fn, const Value &v, xp_cref &out);
    xp_srcloc srcloc(clang::SourceLocation loc);
    clang::SourceLocation fileLoc(clang::SourceLocation loc) const;

    // ---- capture_control.cpp: cond and map ----
    // A `#pragma xport cond` if. `rest`..`restEnd` are the statements after
    // it in its block: with no else and a returning then-branch they are the
    // false branch (`if (p) return a; return b;`), and `consumedRest` is set.
    Flow execCond(const clang::IfStmt *is, const clang::Stmt *const *rest, const clang::Stmt *const *restEnd,
                  bool &consumedRest);
    Flow execMap(const clang::ForStmt *fs);
    bool callCond(const clang::CallExpr *ce, Value &out);  // xp_cond(pred, tf, ff, n, operands)
    bool callMap(const clang::CallExpr *ce, Value &out);   // xp_map(fn, xs, n, extras)
    // Calls the capture answers without evaluating them (inside a map body:
    // the slice reads and slice writes), consulted first by evalCall.
    std::map<const clang::CallExpr *, std::function<bool(Value &)>> callHooks_;

    // ---- capture_break.cpp: graph breaks (docs/graph-breaks.md) ----
    // Reports `construct` (an if, loop, switch, ?:, && or ||) when `cond`
    // reads a tensor's value (xp_item_*); true when it did.
    bool dataDependentCondition(const clang::Expr *cond, const clang::Stmt *construct);
    // An error `id` at `s` (with `arg` as %0) and its note `note`.
    Flow graphBreak(const clang::Stmt *s, DiagId id, DiagId note, const std::string &arg = std::string());
    // Calls with effects outside a graph (printf, setjmp, ...); true when reported.
    bool sideEffectCall(const std::string &name, const clang::CallExpr *ce);
    // A cast to a pointer to volatile; true when reported.
    bool volatileCast(const clang::CastExpr *ce);
    // True when `e` is part of the condition of a loop (for the note on
    // loop bounds that are not constants).
    bool inLoopCondition(const clang::Expr *e);

    // ---- shared helpers ----
    std::string sourceText(const clang::Expr *e) const;
    std::string fnName() const;
    const clang::FunctionDecl *currentFn() const { return frames_.back().fn; }

    // ---- state ----
    struct Frame {
        const clang::FunctionDecl *fn = nullptr;
        std::unordered_map<const clang::VarDecl *, std::shared_ptr<Cell>> locals;
        Value ret;
        bool returned = false;
        clang::SourceLocation retLoc;
    };

    PluginContext &ctx_;
    const ExportRequest &req_;
    const DimDecls &decls_;
    DynLog &log_;
    bool restart_ = false;
    FixSite pendingFix_;
    std::set<std::pair<unsigned, std::string>> decisions_;  // recorded specializations (raw loc, text)
    std::set<std::string> loggedWeights_;
    std::set<const PragmaRecord *> shapeRecords_;  // the input/param/buffer pragmas whose shapes were read

public:
    const std::set<const PragmaRecord *> &shapeRecords() const { return shapeRecords_; }
    clang::ASTContext &ast_;
    clang::SourceManager &sm_;
    Diagnoser diag_;
    xp_program *prog_ = nullptr;
    xp_capture *cap_ = nullptr;
    std::deque<Frame> frames_;  // a deque: references to a frame survive calls
    std::vector<std::string> modelRoots_;       // access-path prefix per model root ("" for one root)
    std::vector<std::string> modelRootNames_;   // the struct-pointer parameters' names
    std::map<int, const PragmaRecord *> dimPragmas_;  // symbol index -> its dim pragma
    std::map<const clang::VarDecl *, Value> globals_;
    std::map<const clang::VarDecl *, bool> globalsInProgress_;
    std::map<std::string, int32_t> files_;
    uint64_t iterations_ = 0;
};

// The call-site macros of XPORT_CALL_SITES (xport.h) wrap each call as
// `((xp_trace_active_ ? xp_trace_push_site_(...) : (void)0), xp_at_done_X_(call))`:
// the run-time tracer's bookkeeping, nothing of the program.
// isCallSitePush: the left operand of that comma; withoutCallSite: `call`
// for such a wrapper, else `e` (parentheses and implicit casts skipped).
bool isCallSitePush(const clang::Expr *e);
const clang::Expr *withoutCallSite(const clang::Expr *e);

}  // namespace xport::capture
