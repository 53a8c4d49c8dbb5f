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
#include <map>
#include <memory>
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

// What a statement tells its enclosing statement.
enum class Flow { Normal, Break, Continue, Return, Error };

// The total number of loop iterations unrolled in one exported function.
constexpr uint64_t kMaxIterations = 1000000;
// The largest local array the interpreter models.
constexpr uint64_t kMaxArrayElements = 1u << 20;

class Interp {
public:
    Interp(PluginContext &ctx, const ExportRequest &req);
    ~Interp();
    Interp(const Interp &) = delete;
    Interp &operator=(const Interp &) = delete;

    // Captures req.fn; nullptr after errors.
    xp_program *run();

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
    bool arith(clang::BinaryOperatorKind op, const Value &a, const Value &b, clang::QualType type,
               const clang::Expr *at, Value &out);
    bool intArith(clang::BinaryOperatorKind op, const Value &a, const Value &b, clang::QualType type,
                  const clang::Expr *at, Value &out);
    bool compare(clang::BinaryOperatorKind op, const Value &a, const Value &b, clang::QualType operandType,
                 const clang::Expr *at, Value &out);
    bool pointerArith(clang::BinaryOperatorKind op, const Value &a, const Value &b, const clang::Expr *at,
                      Value &out);
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
    bool tensorArg(const clang::CallExpr *ce, unsigned i, const char *fn, const Value &v, xp_cref &out);
    xp_srcloc srcloc(clang::SourceLocation loc);
    clang::SourceLocation fileLoc(clang::SourceLocation loc) const;

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

}  // namespace xport::capture
